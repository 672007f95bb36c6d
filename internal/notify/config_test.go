package notify

import (
	"errors"
	"strings"
	"testing"
)

func TestConfigErrors(t *testing.T) {
	const password = "hunter2"
	tests := []struct {
		name string
		cfg  Config
	}{
		{"bad scheme", Config{SMTPURL: "http://u:hunter2@mail.example.com"}},
		{"no scheme", Config{SMTPURL: "mail.example.com:587"}},
		{"no host", Config{SMTPURL: "smtp://u:hunter2@:587"}},
		{"bad port", Config{SMTPURL: "smtp://u:hunter2@mail.example.com:99999"}},
		{"unencoded slash in password", Config{SMTPURL: "smtp://u:hun/ter2@mail.example.com:587"}},
		{"path", Config{SMTPURL: "smtp://u:hunter2@mail.example.com/x"}},
		{"user without password", Config{SMTPURL: "smtp://u@mail.example.com"}},
		{"unknown parameter", Config{SMTPURL: "smtp://u:hunter2@mail.example.com?insecure=1"}},
		{"unknown tls mode", Config{SMTPURL: "smtp://mail.example.com?tls=maybe"}},
		{"tls=none with credentials", Config{SMTPURL: "smtp://u:hunter2@mail.example.com?tls=none"}},
		{"tls parameter on smtps", Config{SMTPURL: "smtps://u:hunter2@mail.example.com?tls=none"}},
		{"no SMTP and no outbox", Config{}},
		{"empty From", Config{OutboxDir: "x", From: " "}},
		{"From without domain", Config{OutboxDir: "x", From: "Frontdesk <no-reply>"}},
		{"From with newline", Config{OutboxDir: "x", From: "Frontdesk\r\n <no-reply@example.com>"}},
		{"From not ASCII", Config{OutboxDir: "x", From: "Frontdesk <hỗ-trợ@example.vn>"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.cfg.From == "" {
				tc.cfg.From = testFrom
			}
			tc.cfg.OutboxDir = strings.Replace(tc.cfg.OutboxDir, "x", t.TempDir(), 1)
			_, err := NewMailer(tc.cfg, nil)
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("NewMailer error = %v, want ErrInvalidConfig", err)
			}
			for _, secret := range []string{password, "hun", "ter2"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error reveals the password: %v", err)
				}
			}
		})
	}
}

func TestParseSMTPURL(t *testing.T) {
	tests := []struct {
		url, addr, user, pass, redacted string
		implicit, noTLS                 bool
	}{
		{"smtp://u:p%2Fw@mail.example.com", "mail.example.com:587", "u", "p/w", "smtp://u:xxxxx@mail.example.com", false, false},
		{"smtps://u%40x:pw@mail.example.com", "mail.example.com:465", "u@x", "pw", "smtps://u%40x:xxxxx@mail.example.com", true, false},
		{"smtp://relay:25?tls=none", "relay:25", "", "", "smtp://relay:25?tls=none", false, true},
		{"SMTP://[::1]:2525?tls=starttls", "[::1]:2525", "", "", "smtp://[::1]:2525?tls=starttls", false, false},
	}
	for _, tc := range tests {
		got, err := parseSMTPURL(tc.url)
		if err != nil {
			t.Fatalf("%s: %v", tc.url, err)
		}
		want := smtpTarget{addr: tc.addr, host: got.host, implicitTLS: tc.implicit, noTLS: tc.noTLS, username: tc.user, password: tc.pass, redacted: tc.redacted}
		if *got != want {
			t.Errorf("%s: got %+v, want %+v", tc.url, *got, want)
		}
	}
}

func TestDestinationHidesPassword(t *testing.T) {
	m, err := NewMailer(Config{SMTPURL: "smtps://u:hunter2@mail.example.com", From: testFrom}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Destination(); got != "smtps://u:xxxxx@mail.example.com" {
		t.Errorf("Destination = %q", got)
	}
}
