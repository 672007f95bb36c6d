package oidc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// A private_key_jwt client may register a jwks_uri instead of an inline
// JWK set: the address where it publishes its public keys, so that it
// rotates them without an edit in the console. Fetching an address an
// administrator typed is an outbound request the provider makes on its
// own network, so (ASVS 1.3.6, server-side request forgery):
//   - https:// only (plain http:// on a loopback address only with the
//     JWKSAllowLoopback test setting), no user name or password, no
//     fragment, and no redirect is followed;
//   - the address each connection really reaches is checked when it is
//     dialled (after DNS, so a name that resolves to an inside address
//     is refused too): loopback, private (RFC 1918, fc00::/7), link-local
//     (cloud metadata at 169.254.169.254), shared (100.64.0.0/10),
//     multicast and unspecified addresses are refused;
//   - no proxy from the environment, 5 s for the whole request, 32 KiB
//     for the body (the same bound as an inline set), and the body must be
//     a JWK set that passes the same checks as an inline one;
//   - the sets are cached per address (at most jwksMaxEntries, the
//     least recently used dropped first) for jwksMaxAge; an assertion
//     naming a kid the cached set lacks fetches the set again at most once
//     per JWKSRefetchEvery, so a stream of made-up kids cannot turn the
//     provider into a request cannon, and a failed fetch keeps the last
//     good set.

const (
	jwksMaxBytes       = 32 << 10
	jwksTimeout        = 5 * time.Second
	jwksMaxAge         = time.Hour
	jwksMaxEntries     = 1000
	jwksDefaultRefetch = time.Minute
)

// Errors of a client's jwks_uri. The client is told only that its keys
// could not be used; the reason is logged.
var (
	errJWKSAddress = errors.New("oidc: jwks_uri address not allowed")
	errJWKSFetch   = errors.New("oidc: jwks_uri could not be fetched")
)

// remoteKeys fetches and caches the JWK sets of clients' jwks_uri.
type remoteKeys struct {
	allowLoopback bool
	refetchEvery  time.Duration
	now           func() time.Time
	client        *http.Client

	mu      sync.Mutex
	entries map[string]*remoteEntry
	fetches int // how many fetches were made (for tests)
}

// remoteEntry is one address's set. Its lock makes concurrent look-ups of
// the same address wait for one fetch rather than each make their own.
type remoteEntry struct {
	mu       sync.Mutex
	set      *jose.JSONWebKeySet
	fetched  time.Time // the last attempt
	good     time.Time // the last success
	lastUsed time.Time // for eviction, under remoteKeys.mu
}

func newRemoteKeys(allowLoopback bool, refetchEvery time.Duration, now func() time.Time) *remoteKeys {
	if refetchEvery <= 0 {
		refetchEvery = jwksDefaultRefetch
	}
	rk := &remoteKeys{allowLoopback: allowLoopback, refetchEvery: refetchEvery, now: now, entries: map[string]*remoteEntry{}}
	dialer := &net.Dialer{Timeout: jwksTimeout, Control: rk.controlDial}
	rk.client = &http.Client{
		Timeout: jwksTimeout,
		Transport: &http.Transport{
			Proxy:                  nil, // a proxy would reach what the dialler refuses
			DialContext:            dialer.DialContext,
			TLSHandshakeTimeout:    jwksTimeout,
			ResponseHeaderTimeout:  jwksTimeout,
			MaxResponseHeaderBytes: 16 << 10,
			MaxIdleConns:           10,
			IdleConnTimeout:        time.Minute,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return errors.New("redirects are not followed") },
	}
	return rk
}

// allowedAddr reports whether the provider may connect to ip for a
// jwks_uri.
func (rk *remoteKeys) allowedAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if rk.allowLoopback && ip.IsLoopback() {
		return true
	}
	return ip.IsValid() && ip.IsGlobalUnicast() && !ip.IsPrivate() && !ip.IsLoopback() && !ip.IsLinkLocalUnicast() &&
		!sharedNet.Contains(ip) && !thisNet.Contains(ip) && !ip.IsUnspecified() && !ip.IsMulticast()
}

var (
	sharedNet = netip.MustParsePrefix("100.64.0.0/10") // carrier-grade NAT (RFC 6598)
	thisNet   = netip.MustParsePrefix("0.0.0.0/8")
)

// controlDial refuses a connection to an address that is not allowed,
// once DNS has answered: the check that counts.
func (rk *remoteKeys) controlDial(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return errJWKSAddress
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !rk.allowedAddr(ip) {
		return fmt.Errorf("%w: %s", errJWKSAddress, host)
	}
	return nil
}

// checkJWKSURI checks a jwks_uri when a client is saved: an absolute
// https:// URL (http:// only on loopback with the test setting) without
// credentials or fragment, whose host, when an IP address, is allowed.
func checkJWKSURI(raw string, allowLoopback bool) error {
	bad := errors.New("The keys' address must be an https:// URL on the internet, such as https://app.example/jwks.json.")
	u, err := url.Parse(raw)
	if err != nil || len(raw) > 1000 || u.Host == "" || u.User != nil || u.Fragment != "" || strings.Contains(raw, "#") {
		return bad
	}
	host := u.Hostname()
	ip, ipErr := netip.ParseAddr(host)
	loopback := host == "localhost" || (ipErr == nil && ip.Unmap().IsLoopback())
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowLoopback && loopback:
	default:
		return bad
	}
	if loopback && !allowLoopback {
		return bad
	}
	if ipErr == nil && !(&remoteKeys{allowLoopback: allowLoopback}).allowedAddr(ip) {
		return bad
	}
	return nil
}

// entry returns the cache entry of uri, making room when the cache is
// full.
func (rk *remoteKeys) entry(uri string) *remoteEntry {
	rk.mu.Lock()
	defer rk.mu.Unlock()
	e := rk.entries[uri]
	if e == nil {
		if len(rk.entries) >= jwksMaxEntries {
			var oldest string
			var at time.Time
			for k, v := range rk.entries {
				if oldest == "" || v.lastUsed.Before(at) {
					oldest, at = k, v.lastUsed
				}
			}
			delete(rk.entries, oldest)
		}
		e = &remoteEntry{}
		rk.entries[uri] = e
	}
	e.lastUsed = rk.now()
	return e
}

// key returns the key of the set published at uri with kid (or its only
// key when kid is empty), fetching the set when it is not cached, too
// old, or lacks kid (at most once per refetchEvery).
func (rk *remoteKeys) key(ctx context.Context, uri, kid string) (*jose.JSONWebKey, error) {
	e := rk.entry(uri)
	e.mu.Lock()
	defer e.mu.Unlock()
	now := rk.now()
	mayFetch := e.fetched.IsZero() || now.Sub(e.fetched) >= rk.refetchEvery
	var fetchErr error
	if (e.set == nil || now.Sub(e.good) >= jwksMaxAge) && mayFetch {
		fetchErr = rk.refresh(ctx, uri, e, now)
		mayFetch = false
	}
	if e.set == nil {
		if fetchErr == nil {
			fetchErr = errJWKSFetch // the last attempt failed moments ago
		}
		return nil, fetchErr
	}
	if k := findKey(e.set, kid); k != nil {
		return k, nil
	}
	if mayFetch {
		if err := rk.refresh(ctx, uri, e, now); err != nil {
			return nil, err
		}
		if k := findKey(e.set, kid); k != nil {
			return k, nil
		}
	}
	return nil, nil
}

// refresh fetches the set at uri into e; a failure keeps the set e had.
func (rk *remoteKeys) refresh(ctx context.Context, uri string, e *remoteEntry, now time.Time) error {
	e.fetched = now
	rk.mu.Lock()
	rk.fetches++
	rk.mu.Unlock()
	set, err := rk.fetch(ctx, uri)
	if err != nil {
		return err
	}
	e.set, e.good = set, now
	return nil
}

// fetch reads and checks the JWK set at uri.
func (rk *remoteKeys) fetch(ctx context.Context, uri string) (*jose.JSONWebKeySet, error) {
	if err := checkJWKSURI(uri, rk.allowLoopback); err != nil {
		return nil, fmt.Errorf("%w: %s", errJWKSAddress, uri)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), jwksTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := rk.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errJWKSFetch, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: status %d", errJWKSFetch, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, jwksMaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errJWKSFetch, err)
	}
	if len(body) > jwksMaxBytes {
		return nil, fmt.Errorf("%w: larger than %d bytes", errJWKSFetch, jwksMaxBytes)
	}
	set, err := parseJWKS(string(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errJWKSFetch, err)
	}
	return set, nil
}

// findKey returns the key of set with kid, or its only key when kid is
// empty.
func findKey(set *jose.JSONWebKeySet, kid string) *jose.JSONWebKey {
	if kid == "" && len(set.Keys) == 1 {
		return &set.Keys[0]
	}
	for i := range set.Keys {
		if kid != "" && set.Keys[i].KeyID == kid {
			return &set.Keys[i]
		}
	}
	return nil
}
