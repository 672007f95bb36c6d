package benchkit

import (
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// codeRE finds the code in the verification e-mail: "… is: 123456".
var codeRE = regexp.MustCompile(`is: ([0-9]{6})\b`)

// WaitCodes polls the outbox (FRONTDESK_MAIL_OUTBOX) until every address has a verification code
// (mail is sent in the background) and returns them by e-mail address.
func WaitCodes(dir string, emails []string, limit time.Duration) (map[string]string, error) {
	deadline := time.Now().Add(limit)
	for {
		codes, err := readCodes(dir)
		if err != nil {
			return nil, err
		}
		missing := 0
		for _, e := range emails {
			if codes[strings.ToLower(e)] == "" {
				missing++
			}
		}
		if missing == 0 {
			return codes, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%d of %d verification e-mails missing from %s after %s", missing, len(emails), dir, limit)
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
