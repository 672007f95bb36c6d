package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/frontdesk/frontdesk/internal/fault"
	"github.com/frontdesk/frontdesk/internal/oidc"
)

// listFlag is a flag that may be given several times.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// runOIDCClientAdd registers a relying party. The secret of a
// confidential client is printed here, once; only its hash is kept.
func runOIDCClientAdd(ctx context.Context, env Env, args []string) error {
	fs, build := flagSet("oidc client add", env)
	name := fs.String("name", "", "the app's name, shown to customers (required)")
	var redirects, postLogout listFlag
	fs.Var(&redirects, "redirect-uri", "a redirect URI, matched exactly (required; repeat for several)")
	fs.Var(&postLogout, "post-logout-redirect-uri", "where the app may send customers after signing out (repeatable)")
	backchannel := fs.String("backchannel-logout-uri", "", "where logout tokens are posted when the customer's session ends")
	public := fs.Bool("public", false, "a public client (mobile or single-page app): no secret, PKCE only")
	firstParty := fs.Bool("first-party", false, "the business's own app: no consent screen")
	scopes := fs.String("scopes", strings.Join(oidc.Scopes, " "), "the scopes the app may ask for")
	tokenType := fs.String("access-token-type", "jwt", "jwt (signed, verifiable offline) or opaque (introspected)")
	asJSON := fs.Bool("json", false, `print {"client_id","client_secret"} as JSON`)
	cfg, err := parse(fs, build, args, env)
	if err != nil {
		return err
	}
	if *name == "" || len(redirects) == 0 {
		fmt.Fprintln(env.Stderr, "frontdesk oidc client add: --name and --redirect-uri are required")
		return errUsage
	}
	sys, err := openSystem(ctx, cfg, newLogger(cfg, env.Stderr), needCurrent)
	if err != nil {
		return err
	}
	defer sys.close()
	c, secret, err := sys.oidc.AddClient(ctx, oidc.ClientInput{Name: *name, RedirectURIs: redirects, PostLogoutRedirectURIs: postLogout,
		BackchannelLogoutURI: *backchannel, Public: *public, FirstParty: *firstParty, Scopes: strings.Fields(*scopes), AccessTokenType: *tokenType})
	var inv *fault.Invalid
	if errors.As(err, &inv) {
		fmt.Fprintf(env.Stderr, "frontdesk oidc client add: %s: %s\n", strings.ReplaceAll(inv.Field, "_", "-"), inv.Reason)
		return errUsage
	}
	if err != nil {
		return err
	}
	if *asJSON {
		out := map[string]any{"client_id": c.ID, "client_secret": secret}
		if c.Public {
			out["client_secret"] = nil
		}
		return json.NewEncoder(env.Stdout).Encode(out)
	}
	fmt.Fprintf(env.Stdout, "client_id:     %s\n", c.ID)
	if secret != "" {
		fmt.Fprintf(env.Stdout, "client_secret: %s\n", secret)
		fmt.Fprintln(env.Stderr, "The secret is shown only now: store it in the app's configuration.")
	}
	return nil
}

func runOIDCClientList(ctx context.Context, env Env, args []string) error {
	fs, build := flagSet("oidc client list", env)
	asJSON := fs.Bool("json", false, "print the clients as JSON")
	cfg, err := parse(fs, build, args, env)
	if err != nil {
		return err
	}
	sys, err := openSystem(ctx, cfg, newLogger(cfg, env.Stderr), needCurrent)
	if err != nil {
		return err
	}
	defer sys.close()
	list, err := sys.oidc.Clients(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(map[string]any{"clients": list})
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLIENT ID\tNAME\tKIND\tREDIRECT URIS\tCREATED")
	for _, c := range list {
		kind := "confidential"
		if c.Public {
			kind = "public"
		}
		if c.FirstParty {
			kind += ", first-party"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.ID, c.Name, kind, strings.Join(c.RedirectURIs, " "), c.CreatedAt.Format(time.DateOnly))
	}
	return tw.Flush()
}

func runOIDCClientRemove(ctx context.Context, env Env, args []string) error {
	fs, build := flagSet("oidc client remove ID", env)
	cfg, ids, err := parseWithFiles(fs, build, args, env)
	if err != nil {
		return err
	}
	sys, err := openSystem(ctx, cfg, newLogger(cfg, env.Stderr), needCurrent)
	if err != nil {
		return err
	}
	defer sys.close()
	if err := sys.oidc.RemoveClient(ctx, ids[0]); errors.Is(err, oidc.ErrClientNotFound) {
		return fmt.Errorf("no client has the id %q", ids[0])
	} else if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "removed client %s; its tokens no longer work\n", ids[0])
	return nil
}

func runOIDCKeysRotate(ctx context.Context, env Env, args []string) error {
	fs, build := flagSet("oidc keys rotate", env)
	cfg, err := parse(fs, build, args, env)
	if err != nil {
		return err
	}
	sys, err := openSystem(ctx, cfg, newLogger(cfg, env.Stderr), needCurrent)
	if err != nil {
		return err
	}
	defer sys.close()
	if err := sys.oidc.RotateKeys(ctx); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "a new signing key signs from now on; the previous ones stay published until their tokens have expired")
	return nil
}

// oidcCryptoKey is the key that encrypts opaque access tokens: derived
// from the master key, so every node has the same without configuring it.
func (s *system) oidcCryptoKey() [32]byte {
	var k [32]byte
	copy(k[:], s.keys.BlindIndex("oidc-opaque-access-tokens", "v1"))
	return k
}

// oidcLoop ends the apps' sessions of Frontdesk sessions that ended, and
// purges expired requests and tokens.
func (s *system) oidcLoop(ctx context.Context, interval time.Duration) {
	every(ctx, interval, func(ctx context.Context) {
		if err := s.oidc.Sweep(ctx); err != nil {
			s.log.Error("OpenID Connect sweep failed", "error", err.Error())
		}
	})
}
