package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"time"

	"github.com/frontdesk/frontdesk/bench/internal/benchkit"
)

// account is a verified customer account of the benchmark.
type account struct {
	email, password string
}

const (
	goodPassword  = "Plum orbit lantern velvet 7!"
	wrongPassword = "Plum orbit lantern velvet 8?"
)

// createAccounts registers n accounts through the API, each registration
// from its own /24 so that the per-IP registration quota does not apply,
// reads the codes from the outbox and verifies every account.
func createAccounts(a api, dataDir string, n int) ([]account, error) {
	return createAccountsFrom(a, dataDir, 0, n)
}

// createAccountsFrom is createAccounts for the accounts numbered first to
// first+n-1, for a later batch beside earlier ones.
func createAccountsFrom(a api, dataDir string, first, n int) ([]account, error) {
	if first+n > 100*256 { // xffAddr(0, i) must stay below the flood's 10.100.0.0
		return nil, errors.New("at most 25,600 accounts")
	}
	accts := make([]account, n)
	for i := range accts {
		accts[i] = account{email: fmt.Sprintf("bench-%05d@example.com", first+i), password: goodPassword}
	}
	// Each registration's secret goes back with its code, as a client keeps
	// it (docs/api.md); a server from before it was introduced sends none.
	secrets := make([]string, n)
	err := benchkit.Parallel(n, 8, func(i int) error {
		body := map[string]string{"email": accts[i].email, "password": goodPassword, "name": fmt.Sprintf("Bench Customer %d", i)}
		status, resp, err := a.post("/api/v1/registrations", body, xffAddr(0, first+i))
		if err != nil {
			return err
		}
		if status != http.StatusAccepted {
			return fmt.Errorf("register %s: status %d: %s", accts[i].email, status, resp)
		}
		var out struct {
			Registration string `json:"registration"`
		}
		if err := json.Unmarshal(resp, &out); err != nil {
			return fmt.Errorf("register %s: %w", accts[i].email, err)
		}
		secrets[i] = out.Registration
		return nil
	})
	if err != nil {
		return nil, err
	}
	emails := make([]string, n)
	for i, a := range accts {
		emails[i] = a.email
	}
	codes, err := benchkit.WaitCodes(filepath.Join(dataDir, "outbox"), emails, 60*time.Second)
	if err != nil {
		return nil, err
	}
	err = benchkit.Parallel(n, 8, func(i int) error {
		body := map[string]string{"email": accts[i].email, "code": codes[accts[i].email]}
		if secrets[i] != "" {
			body["registration"] = secrets[i]
		}
		status, resp, err := a.post("/api/v1/registrations/verify", body, "")
		if err != nil {
			return err
		}
		if status != http.StatusOK {
			return fmt.Errorf("verify %s: status %d: %s", accts[i].email, status, resp)
		}
		return nil
	})
	return accts, err
}
