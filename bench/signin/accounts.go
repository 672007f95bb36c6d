package main

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
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
	if n > 100*256 { // xffAddr(0, i) must stay below the flood's 10.100.0.0
		return nil, errors.New("at most 25,600 accounts")
	}
	accts := make([]account, n)
	for i := range accts {
		accts[i] = account{email: fmt.Sprintf("bench-%05d@example.com", i), password: goodPassword}
	}
	err := parallel(n, 8, func(i int) error {
		body := map[string]string{"email": accts[i].email, "password": goodPassword, "name": fmt.Sprintf("Bench Customer %d", i)}
		status, resp, err := a.post("/api/v1/registrations", body, xffAddr(0, i))
		if err != nil {
			return err
		}
		if status != http.StatusAccepted {
			return fmt.Errorf("register %s: status %d: %s", accts[i].email, status, resp)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	codes, err := waitCodes(filepath.Join(dataDir, "outbox"), accts, 60*time.Second)
	if err != nil {
		return nil, err
	}
	err = parallel(n, 8, func(i int) error {
		body := map[string]string{"email": accts[i].email, "code": codes[accts[i].email]}
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

// parallel calls f(0) … f(n-1) from at most workers goroutines and returns
// the first error.
func parallel(n, workers int, f func(i int) error) error {
	next := make(chan int)
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				if err := f(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}

// codeRE finds the code in the verification e-mail: "… is: 123456".
var codeRE = regexp.MustCompile(`is: ([0-9]{6})\b`)

// waitCodes polls the outbox until every account has a verification code
// (mail is sent in the background) and returns them by e-mail address.
func waitCodes(dir string, accts []account, limit time.Duration) (map[string]string, error) {
	deadline := time.Now().Add(limit)
	for {
		codes, err := readCodes(dir)
		if err != nil {
			return nil, err
		}
		missing := 0
		for _, a := range accts {
			if codes[a.email] == "" {
				missing++
			}
		}
		if missing == 0 {
			return codes, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%d of %d verification e-mails missing from %s after %s", missing, len(accts), dir, limit)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// readCodes decodes every message in the outbox and returns the code each
// recipient received last (files are named by time, so glob order is
// delivery order).
func readCodes(dir string) (map[string]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil {
		return nil, err
	}
	codes := map[string]string{}
	for _, name := range files {
		to, text, err := readMail(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Base(name), err)
		}
		if m := codeRE.FindStringSubmatch(text); m != nil {
			codes[strings.ToLower(to)] = m[1]
		}
	}
	return codes, nil
}

// readMail returns the recipient and the decoded text part of one RFC 5322
// multipart/alternative message.
func readMail(name string) (to, text string, err error) {
	f, err := os.Open(name)
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	m, err := mail.ReadMessage(f)
	if err != nil {
		return "", "", err
	}
	addr, err := mail.ParseAddress(m.Header.Get("To"))
	if err != nil {
		return "", "", err
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		return "", "", err
	}
	// The multipart reader undoes the quoted-printable encoding.
	p, err := multipart.NewReader(m.Body, params["boundary"]).NextPart()
	if err != nil {
		return "", "", err
	}
	b, err := io.ReadAll(p)
	return addr.Address, string(b), err
}
