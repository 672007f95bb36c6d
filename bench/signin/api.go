package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// api is a keep-alive client of the server's JSON API.
type api struct {
	base   string
	client *http.Client
}

// newAPI returns a client that keeps up to conns idle connections to the
// server, so that concurrent callers do not open a connection per request.
func newAPI(base string, conns int, timeout time.Duration) api {
	tr := &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     2 * time.Minute,
		DisableCompression:  true,
	}
	return api{base: base, client: &http.Client{Transport: tr, Timeout: timeout}}
}

// post sends body as JSON, with X-Forwarded-For when xff is set, and returns
// the status and the response body.
func (a api) post(path string, body any, xff string) (int, []byte, error) {
	req, err := jsonRequest(a.base+path, body, xff)
	if err != nil {
		return 0, nil, err
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func jsonRequest(url string, body any, xff string) (*http.Request, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	return req, nil
}

// credentials is the body of POST /api/v1/sessions.
type credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// signIn signs acct in and returns the session token.
func (a api) signIn(acct account) (string, error) {
	status, body, err := a.post("/api/v1/sessions", credentials{acct.email, acct.password}, "")
	if err != nil {
		return "", err
	}
	if status != http.StatusCreated {
		return "", fmt.Errorf("sign-in of %s: status %d: %s", acct.email, status, body)
	}
	var out struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.Token == "" {
		return "", fmt.Errorf("sign-in of %s: no token in %s", acct.email, body)
	}
	return out.Token, nil
}

// signInAll signs each account in once and returns their tokens.
func signInAll(a api, accts []account) ([]string, error) {
	var tokens []string
	for _, acct := range accts {
		t, err := a.signIn(acct)
		if err != nil {
			return nil, err
		}
		tokens = append(tokens, t)
	}
	return tokens, nil
}

// xffAddr is a client address in a /24 of its own for each i below
// (256-base)×256, from 10.base.0.7 upwards, for requests that must look like
// distinct sources to the per-IP and per-network limits.
func xffAddr(base, i int) string {
	return fmt.Sprintf("10.%d.%d.%d", base+i/256, i%256, 7)
}
