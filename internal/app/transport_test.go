package app

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// startWith boots the server with the test CLI's variables plus vars and
// returns it with its log.
func startWith(t *testing.T, vars map[string]string) (*Instance, *lockedBuffer) {
	t.Helper()
	c := newCLI(t)
	c.vars["FRONTDESK_MIGRATE"] = "true"
	for k, v := range vars {
		c.vars[k] = v
	}
	getenv := func(k string) string { return c.vars[k] }
	cfg, err := ParseConfig(nil, getenv)
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	inst, err := Start(context.Background(), cfg, Env{Getenv: getenv, Stdout: logs, Stderr: logs})
	if err != nil {
		t.Fatalf("start: %v\n%s", err, logs.String())
	}
	t.Cleanup(func() { inst.Stop() })
	return inst, logs
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// selfSigned writes a P-256 certificate for 127.0.0.1 and its key.
func selfSigned(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "frontdesk test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
	return certFile, keyFile
}

// ASVS 12.1.1 / 12.1.2: a real TLS client can agree TLS 1.3, or TLS 1.2
// with an AEAD suite, and nothing else: CBC-SHA1 suites (Lucky13) and
// TLS 1.1 are refused at the handshake.
func TestTLSOffersAEADSuitesOnly(t *testing.T) {
	certFile, keyFile := selfSigned(t)
	inst, _ := startWith(t, map[string]string{"FRONTDESK_TLS_CERT_FILE": certFile, "FRONTDESK_TLS_KEY_FILE": keyFile})
	addr := strings.TrimPrefix(inst.URL(), "https://")
	handshake := func(c *tls.Config) (tls.ConnectionState, error) {
		c.InsecureSkipVerify = true // a throwaway self-signed certificate; the handshake is what is tested
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", addr, c)
		if err != nil {
			return tls.ConnectionState{}, err
		}
		defer conn.Close()
		return conn.ConnectionState(), nil
	}
	for _, suite := range []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
	} {
		if st, err := handshake(&tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{suite}}); err == nil {
			t.Errorf("TLS 1.2 with %s: agreed %s, want a refusal", tls.CipherSuiteName(suite), tls.CipherSuiteName(st.CipherSuite))
		}
	}
	for _, suite := range []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	} {
		st, err := handshake(&tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{suite}})
		if err != nil || st.Version != tls.VersionTLS12 || st.CipherSuite != suite {
			t.Errorf("TLS 1.2 with %s: %v (agreed %s)", tls.CipherSuiteName(suite), err, tls.CipherSuiteName(st.CipherSuite))
		}
	}
	if st, err := handshake(&tls.Config{}); err != nil || st.Version != tls.VersionTLS13 {
		t.Errorf("default client: %v, version %x, want TLS 1.3", err, st.Version)
	}
	if _, err := handshake(&tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}); err == nil {
		t.Error("TLS 1.1 agreed")
	}
}

// ASVS 12.2.1: a plain-HTTP base URL on a host other than loopback stops
// the server at start with a message that says what to do, unless the
// operator allowed it; loopback (make run's default) starts as before.
func TestPlainHTTPBaseURLRefused(t *testing.T) {
	for _, c := range []struct {
		base  string
		allow bool
		ok    bool
	}{
		{"http://127.0.0.1:8080", false, true},
		{"http://localhost:8080", false, true},
		{"http://[::1]:8080", false, true},
		{"https://frontdesk.example", false, true},
		{"http://frontdesk.example", false, false},
		{"http://0.0.0.0:8080", false, false},
		{"http://192.0.2.10:8080", false, false},
		{"http://localhost.evil.example", false, false},
		{"http://frontdesk.example", true, true},
	} {
		err := checkBaseURL(Config{BaseURL: c.base, AllowInsecureHTTP: c.allow})
		if (err == nil) != c.ok {
			t.Errorf("base %s allow=%v: %v", c.base, c.allow, err)
		}
	}
	def, err := ParseConfig(nil, env(nil))
	if err != nil || checkBaseURL(def) != nil {
		t.Fatalf("the default configuration (make run) is refused: %v / %v", err, checkBaseURL(def))
	}

	c := newCLI(t)
	c.vars["FRONTDESK_BASE_URL"] = "http://frontdesk.example:8080"
	cfg, err := ParseConfig(nil, func(k string) string { return c.vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	inst, err := Start(context.Background(), cfg, Env{Getenv: func(k string) string { return c.vars[k] }, Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}})
	if err == nil {
		inst.Stop()
		t.Fatal("started on a plain-HTTP base URL on a public host")
	}
	for _, want := range []string{"plain HTTP", "FRONTDESK_BASE_URL", "https://", "FRONTDESK_TLS_CERT_FILE", "FRONTDESK_ALLOW_INSECURE_HTTP=true", "--allow-insecure-http"} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("the refusal does not say %q: %v", want, err)
		}
	}

	// Allowed explicitly, it starts, with the cookie warning.
	_, logs := startWith(t, map[string]string{"FRONTDESK_BASE_URL": "http://frontdesk.example:8080", "FRONTDESK_ALLOW_INSECURE_HTTP": "true"})
	if !strings.Contains(logs.String(), "session cookies cannot be Secure") {
		t.Fatalf("no warning when plain HTTP is allowed:\n%s", logs.String())
	}
}

// ASVS 13.4.5: trusted proxies without a metrics token leave /metrics to
// direct loopback requests only, and the server says so at start.
func TestTrustedProxiesWithoutMetricsTokenWarn(t *testing.T) {
	_, logs := startWith(t, map[string]string{"FRONTDESK_TRUSTED_PROXIES": "127.0.0.1/32", "FRONTDESK_LOG_LEVEL": "warn"})
	if !strings.Contains(logs.String(), "FRONTDESK_METRICS_TOKEN") {
		t.Fatalf("no warning about the metrics token:\n%s", logs.String())
	}
	_, logs = startWith(t, map[string]string{"FRONTDESK_TRUSTED_PROXIES": "127.0.0.1/32", "FRONTDESK_METRICS_TOKEN": "m3trics", "FRONTDESK_LOG_LEVEL": "warn"})
	if strings.Contains(logs.String(), "FRONTDESK_METRICS_TOKEN") {
		t.Fatalf("warning despite a metrics token:\n%s", logs.String())
	}
}
