package app

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/consent"
)

// "consent verify" accepts a receipt as the customer downloaded it, and
// refuses one whose content was changed afterwards, and a file that is
// not a receipt, with a message that says which. // GDPR 7(1)
func TestConsentVerifyCommand(t *testing.T) {
	c := newCLI(t)
	ctx := context.Background()
	c.vars["FRONTDESK_MIGRATE"] = "true"
	c.vars["FRONTDESK_ARGON2_MEMORY"] = "4MiB"
	c.vars["FRONTDESK_ARGON2_TIME"] = "1"
	if code, _, stderr := c.run("migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	cfg, err := ParseConfig(nil, func(k string) string { return c.vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	sys, err := openSystem(ctx, cfg, newLogger(cfg, &bytes.Buffer{}), needCurrent)
	if err != nil {
		t.Fatal(err)
	}
	a, err := sys.id.CreateAdmin(ctx, "receipt@acme.example", "Plum orbit lantern velvet 7!")
	if err != nil {
		t.Fatal(err)
	}
	rec, _, err := sys.consent.Choose(ctx, consent.Choice{AccountID: a.ID, Purpose: consent.MarketingEmail, Choice: consent.Given,
		Channel: consent.ChannelPortal})
	if err != nil {
		t.Fatal(err)
	}
	rc, err := sys.consent.ReceiptOf(ctx, a.ID, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	sys.close()
	good, _ := json.Marshal(rc)
	code, stdout, stderr := c.run("consent", "verify", writeFile(t, "receipt.json", string(good)))
	if code != 0 || !strings.Contains(stdout, "valid: record "+rec.ID) || !strings.Contains(stdout, "marketing_email given") {
		t.Fatalf("a genuine receipt: %d %s %s", code, stdout, stderr)
	}
	forged := strings.Replace(string(good), `"choice":"given"`, `"choice":"withdrawn"`, 1)
	if forged == string(good) {
		t.Fatal("the test did not change the receipt")
	}
	if code, _, stderr := c.run("consent", "verify", writeFile(t, "forged.json", forged)); code != 1 || !strings.Contains(stderr, "changed after it was issued") {
		t.Fatalf("a changed receipt: %d %s", code, stderr)
	}
	if code, _, stderr := c.run("consent", "verify", writeFile(t, "other.json", `{"hello":"world"}`)); code != 1 || !strings.Contains(stderr, "not a consent receipt") {
		t.Fatalf("not a receipt: %d %s", code, stderr)
	}
}
