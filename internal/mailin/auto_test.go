package mailin

import (
	"strings"
	"testing"
)

func TestAutoSubmitted(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{"From: a@example.com", false},
		{"From: a@example.com\nAuto-Submitted: no", false},
		{"From: a@example.com\nAuto-Submitted: auto-replied", true},
		{"From: a@example.com\nAuto-Submitted: Auto-Generated; owner-email=\"x@example.com\"", true},
		{"From: a@example.com\nAuto-Submitted: auto-notified (comment)", true},
		{"From: a@example.com\nPrecedence: bulk", true},
		{"From: a@example.com\nPrecedence: junk", true},
		{"From: a@example.com\nPrecedence: list", true},
		{"From: a@example.com\nPrecedence: first-class", false},
		{"From: a@example.com\nX-Autoreply: yes", true},
		{"From: a@example.com\nX-Autorespond: vacation", true},
		{"From: a@example.com\nList-Id: <news.example.com>", true},
		{"From: a@example.com\nList-Unsubscribe: <mailto:u@example.com>", true},
		{"From: a@example.com\nReturn-Path: <>", true},
		{"From: a@example.com\nReturn-Path: <a@example.com>", false},
		{"From: Mail Delivery System <MAILER-DAEMON@example.com>", true},
		{"From: postmaster@example.com", true},
		{"From: a@example.com\nContent-Type: multipart/report; report-type=disposition-notification; boundary=b", true},
	}
	for _, tt := range tests {
		msg, err := Parse(strings.NewReader(tt.header+"\n\nbody\n"), testLimit)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.header, err)
		}
		if msg.AutoSubmitted != tt.want {
			t.Errorf("AutoSubmitted for %q = %v, want %v", tt.header, msg.AutoSubmitted, tt.want)
		}
	}
}
