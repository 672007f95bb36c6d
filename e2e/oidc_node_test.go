package e2e

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// nodeResult is what e2e/openid-client/rp.mjs saw.
type nodeResult struct {
	Claims   idClaims       `json:"claims"`
	Userinfo map[string]any `json:"userinfo"`
	Rotated  bool           `json:"rotated"`
	Reuse    string         `json:"reuse"`
	After    string         `json:"after"`
}

// The same flow with openid-client (Node.js), a certified RP written by
// someone else, for a confidential and a public client: discovery, PKCE,
// state and nonce checked by the library, ID token verified, userinfo,
// refresh rotation, and reuse revoking the family.
func TestOIDCNodeOpenIDClient(t *testing.T) {
	if _, err := os.Stat("openid-client/node_modules/openid-client"); err != nil {
		t.Fatalf("openid-client is not installed (run 'make deps-test', which installs it from e2e/openid-client/package-lock.json): %v", err)
	}
	fd := Start(t, fastHashing)
	email := "quan@example.com"
	fd.registerAPI(t, email)
	token := fd.signInAPI(t, email, apiPassword)
	for _, kind := range []string{"confidential", "public"} {
		t.Run(kind, func(t *testing.T) {
			r := startRP(t)
			args := []string{"--name", "Node " + kind, "--redirect-uri", r.URL + "/cb", "--first-party"}
			if kind == "public" {
				args = append(args, "--public")
			}
			c := fd.addOIDCClient(t, args...)
			cmd := exec.Command("node", "openid-client/rp.mjs", fd.URL, c.ID, c.Secret, r.URL+"/cb")
			stdin, _ := cmd.StdinPipe()
			stdout, _ := cmd.StdoutPipe()
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatalf("node: %v", err)
			}
			defer cmd.Wait()
			lines := bufio.NewScanner(stdout)
			read := func(v any) {
				t.Helper()
				if !lines.Scan() {
					stdin.Close()
					cmd.Wait()
					t.Fatalf("openid-client stopped: %s", stderr.String())
				}
				if err := json.Unmarshal(lines.Bytes(), v); err != nil {
					t.Fatalf("openid-client printed %q: %v", lines.Text(), err)
				}
			}
			var first struct{ Authorize string }
			read(&first)
			resp, err := browserAs(t, fd, token, r.URL+"/cb").Get(first.Authorize)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			cb := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusFound || !strings.HasPrefix(cb, r.URL+"/cb") {
				t.Fatalf("authorize ended at %d %s", resp.StatusCode, resp.Request.URL)
			}
			io.WriteString(stdin, cb+"\n")
			var got nodeResult
			read(&got)
			stdin.Close()
			if got.Claims.Email != email || !slices.Equal(got.Claims.AMR, []string{"pwd"}) || got.Claims.ACR != "urn:frontdesk:aal1" {
				t.Fatalf("claims %+v", got.Claims)
			}
			if got.Userinfo["email"] != email || !got.Rotated {
				t.Fatalf("userinfo %v rotated %v", got.Userinfo, got.Rotated)
			}
			if got.Reuse != "invalid_grant" || got.After != "invalid_grant" {
				t.Fatalf("reused refresh token: %q, the family's newer one after that: %q; want invalid_grant for both", got.Reuse, got.After)
			}
		})
	}
}
