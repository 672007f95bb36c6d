package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/frontdesk/frontdesk/internal/consent"
)

// maxReceiptBytes bounds the file "consent verify" reads: a receipt is
// well under a kilobyte.
const maxReceiptBytes = 64 << 10

// runConsentVerify checks a consent receipt a customer downloaded (or a
// copy someone shows as proof): its hash covers its content, the
// signature is this installation's, and the ledger still holds the record
// with that hash. It exits 0 and prints the record when all three hold,
// 1 otherwise. // GDPR 7(1)
func runConsentVerify(ctx context.Context, env Env, args []string) error {
	fs, build := flagSet("consent verify FILE", env)
	cfg, files, err := parseWithFiles(fs, build, args, env)
	if err != nil {
		return err
	}
	f, err := os.Open(files[0])
	if err != nil {
		return err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxReceiptBytes+1))
	if err != nil {
		return err
	}
	if len(raw) > maxReceiptBytes {
		return fmt.Errorf("%s is not a consent receipt (over %d KiB)", files[0], maxReceiptBytes>>10)
	}
	var rc consent.Receipt
	if err := json.Unmarshal(raw, &rc); err != nil || rc.Hash == "" || rc.Body.ID == "" {
		return fmt.Errorf("%s is not a consent receipt (the JSON file downloaded from the Privacy page or the API)", files[0])
	}
	sys, err := openSystem(ctx, cfg, newLogger(cfg, env.Stderr), needCurrent)
	if err != nil {
		return err
	}
	defer sys.close()
	rec, err := sys.consent.CheckReceipt(ctx, &rc)
	if err != nil {
		return fmt.Errorf("receipt %s: %w", rc.Body.ID, err)
	}
	fmt.Fprintf(env.Stdout, "valid: record %s, account %s, %s %s under notice version %d, channel %s, at %s; signed by this installation and held by its ledger\n",
		rec.ID, rec.AccountID, rec.Purpose, rec.Choice, rec.Version, rec.Channel, rec.At.Format(time.RFC3339))
	return nil
}
