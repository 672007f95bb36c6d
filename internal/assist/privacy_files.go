package assist

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/frontdesk/frontdesk/internal/db"
)

// archivesOf lists the customer's sessions whose recording is in an
// archive file, with the file's path relative to the archive directory.
func (s *Service) archivesOf(ctx context.Context, accountID string) ([][2]string, error) {
	var out [][2]string
	err := s.o.DB.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, archive_path FROM assist_sessions WHERE customer_id = ? AND archive_path IS NOT NULL`, accountID)
		out, err = db.Collect(rows, err, func(r db.Scanner) (a [2]string, err error) {
			err = r.Scan(&a[0], &a[1])
			return a, err
		})
		return err
	})
	return out, err
}

// ExportFiles adds the customer's archived recordings to their data
// export, one gzip-compressed JSON Lines file per segment (the recordings
// still in the database are exported from their rows). // GDPR 15
func (s *Service) ExportFiles(ctx context.Context, accountID string, add func(name string, r io.Reader) error) error {
	if s.o.ArchiveDir == "" {
		return nil
	}
	archives, err := s.archivesOf(ctx, accountID)
	if err != nil {
		return err
	}
	for _, a := range archives {
		segs, err := s.readArchive(ctx, a[0], a[1])
		if err != nil {
			return fmt.Errorf("assist: export recording %s: %w", a[0], err)
		}
		for i, seg := range segs {
			if err := add(fmt.Sprintf("recordings/%s/archive-%03d.jsonl.gz", a[0], i+1), bytes.NewReader(seg)); err != nil {
				return err
			}
		}
	}
	return nil
}

// EraseFiles deletes the customer's archive files; erasure then deletes
// the rows and destroys the key that sealed them. // GDPR 17
func (s *Service) EraseFiles(ctx context.Context, accountID string) error {
	if s.o.ArchiveDir == "" {
		return nil
	}
	archives, err := s.archivesOf(ctx, accountID)
	if err != nil {
		return err
	}
	var errs []error
	for _, a := range archives {
		err := os.Remove(filepath.Join(s.o.ArchiveDir, filepath.FromSlash(a[1])))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// RetainedFiles returns the archive files of the sessions whose recordings
// the "recordings" retention policy purges (internal/privacy deletes them
// once the rows are gone). // GDPR 5(1)(e)
func (s *Service) RetainedFiles(ctx context.Context, tx *db.Tx, class string, sessionIDs []string) ([]string, error) {
	if class != "recordings" || s.o.ArchiveDir == "" || len(sessionIDs) == 0 {
		return nil, nil
	}
	args := make([]any, len(sessionIDs))
	for i, id := range sessionIDs {
		args[i] = id
	}
	rows, err := tx.Query(ctx, `SELECT archive_path FROM assist_sessions WHERE archive_path IS NOT NULL AND id IN (?`+
		strings.Repeat(", ?", len(args)-1)+`)`, args...)
	paths, err := db.Collect(rows, err, db.Value[string])
	if err != nil {
		return nil, err
	}
	for i, p := range paths {
		paths[i] = filepath.Join(s.o.ArchiveDir, filepath.FromSlash(p))
	}
	return paths, nil
}
