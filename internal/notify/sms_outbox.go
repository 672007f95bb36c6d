package notify

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// smsOutbox writes each SMS as OutboxDir/<unix-nanos>-<id>.sms.txt: a
// "To: +…" line, a blank line and the body. The format is a public
// contract that development tools and end-to-end tests read codes from.
type smsOutbox struct {
	dir   string
	clock func() time.Time
}

var _ SMS = (*smsOutbox)(nil)

// SendSMS writes the message; the file appears complete or not at all.
func (o *smsOutbox) SendSMS(ctx context.Context, to, body string) error {
	if err := checkSMS(to, body); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("notify: sms outbox: %w", err)
	}
	name := strconv.FormatInt(o.clock().UnixNano(), 10) + "-" + randomHex(8) + ".sms.txt"
	if err := writeFileAtomic(o.dir, name, []byte("To: "+to+"\n\n"+body)); err != nil {
		return fmt.Errorf("notify: sms outbox: %w", err)
	}
	return nil
}

// writeFileAtomic creates dir (mode 0700) if missing and writes data to
// dir/name with mode 0600 through a hidden temporary file that is synced
// and renamed into place, so readers never see a partial file.
func writeFileAtomic(dir, name string, data []byte) error {
	// The directory may have been removed since start-up (tests, cleanup).
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	// The temporary name starts with a dot and ends in .tmp, so readers
	// that list *.sms.txt never see a half-written message.
	tmp, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	err = tmp.Chmod(0o600)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, name))
}
