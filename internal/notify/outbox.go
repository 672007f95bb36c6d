package notify

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// outbox writes each message as OutboxDir/<unix-nanos>-<id>.eml. The file
// appears complete or not at all: it is written to a hidden temporary file
// in the same directory, synced, and renamed into place.
type outbox struct {
	dir   string
	clock func() time.Time
}

func (o *outbox) String() string { return "outbox" }

// prepare creates the directory, readable by the owner only.
func (o *outbox) prepare() error {
	if err := os.MkdirAll(o.dir, 0o700); err != nil {
		return fmt.Errorf("notify: outbox: %w", err)
	}
	return nil
}

func (o *outbox) deliver(ctx context.Context, _, _ string, msg []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("notify: outbox: %w", err)
	}
	// The directory may have been removed since start-up (tests, cleanup).
	if err := o.prepare(); err != nil {
		return err
	}
	name := strconv.FormatInt(o.clock().UnixNano(), 10) + "-" + randomHex(8) + ".eml"
	// The temporary name does not end in .eml, so readers that list
	// *.eml never see a half-written message.
	tmp, err := os.CreateTemp(o.dir, "."+name+".*.tmp")
	if err != nil {
		return fmt.Errorf("notify: outbox: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("notify: outbox: %w", err)
	}
	if _, err := tmp.Write(msg); err != nil {
		tmp.Close()
		return fmt.Errorf("notify: outbox: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("notify: outbox: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("notify: outbox: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(o.dir, name)); err != nil {
		return fmt.Errorf("notify: outbox: %w", err)
	}
	return nil
}
