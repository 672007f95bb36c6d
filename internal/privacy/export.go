package privacy

import (
	"archive/zip"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/csvsafe"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/keyring"
	pd "github.com/frontdesk/frontdesk/internal/personaldata"
)

// Export is a customer's request for their data.
type Export struct {
	ID        string     `json:"id"`
	Status    string     `json:"status"`
	Done      int        `json:"done"`
	Total     int        `json:"total"`
	Size      int64      `json:"size,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// Export statuses.
const (
	ExportPending    = "pending"
	ExportBuilding   = "building"
	ExportReady      = "ready"
	ExportDownloaded = "downloaded"
	ExportExpired    = "expired"
	ExportFailed     = "failed"
)

// leaseFor is how long a node may build an export before another may take
// it over (the builder died).
const leaseFor = 15 * time.Minute

// RequestExport records a customer's request for their data and starts
// building it in the background. by names who asked: "customer", or the
// staff member fulfilling a request. One export at a time per account.
func (s *Service) RequestExport(ctx context.Context, accountID, by string) (*Export, error) {
	var out *Export
	err := s.o.DB.Write(ctx, func(tx *db.Tx) error {
		a, err := s.o.Accounts.AccountIn(ctx, tx, accountID)
		if err != nil {
			return err
		}
		var busy int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM privacy_exports WHERE account_id = ? AND status IN ('pending', 'building')`,
			accountID).Scan(&busy); err != nil {
			return err
		}
		if busy > 0 {
			return ErrExportRunning
		}
		out = &Export{ID: newID(), Status: ExportPending, CreatedAt: tx.Now(), Total: len(s.o.Registry.Personal())}
		if _, err := tx.Exec(ctx, `INSERT INTO privacy_exports (id, account_id, status, locale, requested_by, total, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, out.ID, accountID, ExportPending, a.Locale, by, out.Total, out.CreatedAt); err != nil {
			return err
		}
		if by == "customer" { // on the privacy page: it joins the requests queue
			if _, err := s.portalRequest(ctx, tx, accountID, KindExport, out.ID); err != nil {
				return err
			}
		}
		return s.o.Audit.Record(ctx, tx, audit.Event{Action: "privacy.export.request", Target: "account:" + accountID,
			Subject: subject(accountID), Details: map[string]any{"export": out.ID, "by": by}})
	})
	if err != nil {
		return nil, err
	}
	s.buildSoon(out.ID)
	return out, nil
}

// buildSoon builds an export in the background when a builder is free;
// otherwise the sweep takes it later.
func (s *Service) buildSoon(id string) {
	select {
	case s.building <- struct{}{}:
	default:
		return
	}
	s.wg.Add(1)
	go func() {
		defer func() { <-s.building; s.wg.Done() }()
		if err := s.Build(context.Background(), id); err != nil {
			s.log.Error("building a data export", "export", id, "error", err.Error())
		}
	}()
}

// ExportOf returns one of the account's exports.
func (s *Service) ExportOf(ctx context.Context, accountID, id string) (*Export, error) {
	var e *Export
	err := s.o.DB.Read(ctx, func(tx *db.Tx) error {
		var exp sql.NullTime
		e = &Export{ID: id}
		err := tx.QueryRow(ctx, `SELECT status, done, total, size, created_at, expires_at FROM privacy_exports WHERE id = ? AND account_id = ?`,
			id, accountID).Scan(&e.Status, &e.Done, &e.Total, &e.Size, &e.CreatedAt, &exp)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if exp.Valid {
			t := exp.Time.UTC()
			e.ExpiresAt = &t
			if e.Status == ExportReady && !tx.Now().Before(t) {
				e.Status = ExportExpired
			}
		}
		e.CreatedAt = e.CreatedAt.UTC()
		return err
	})
	return e, err
}

// Exports lists the account's exports, newest first.
func (s *Service) Exports(ctx context.Context, accountID string) ([]Export, error) {
	var ids []string
	err := s.o.DB.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id FROM privacy_exports WHERE account_id = ? ORDER BY created_at DESC LIMIT 20`, accountID)
		ids, err = db.Collect(rows, err, db.Value[string])
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]Export, 0, len(ids))
	for _, id := range ids {
		e, err := s.ExportOf(ctx, accountID, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	return out, nil
}

// Build builds one export if it is pending (or its builder's lease ran
// out): a ZIP with a README in the customer's language, a JSON and a CSV
// file per table of the registry, files for attachments and recordings,
// sealed with the customer's key as it is written, so memory stays bounded
// by one row and one segment whatever the export's size. // GDPR 15, 20
func (s *Service) Build(ctx context.Context, id string) error {
	var (
		accountID, locale string
		key               *keyring.DataKey
		claimed           bool
	)
	err := s.o.DB.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE privacy_exports SET status = ?, lease_until = ? WHERE id = ?
			AND (status = ? OR (status = ? AND lease_until < ?))`,
			ExportBuilding, tx.Now().Add(leaseFor), id, ExportPending, ExportBuilding, tx.Now())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		claimed = true
		if err := tx.QueryRow(ctx, `SELECT account_id, locale FROM privacy_exports WHERE id = ?`, id).Scan(&accountID, &locale); err != nil {
			return err
		}
		key, err = s.o.Keys.DataKey(ctx, tx, subject(accountID))
		return err
	})
	if err != nil || !claimed {
		return err
	}
	size, err := s.writeExport(ctx, id, accountID, locale, key)
	if err != nil {
		os.Remove(s.exportPath(id) + ".part")
		return errors.Join(err, s.o.DB.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE privacy_exports SET status = ?, finished_at = ? WHERE id = ?`, ExportFailed, tx.Now(), id)
			return err
		}))
	}
	var notices []identity.Notice
	err = s.o.DB.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE privacy_exports SET status = ?, size = ?, finished_at = ?, expires_at = ?, lease_until = NULL
			WHERE id = ?`, ExportReady, size, tx.Now(), tx.Now().Add(s.o.ExportTTL), id); err != nil {
			return err
		}
		n, err := s.o.Accounts.NoticeFor(ctx, tx, accountID, "export_ready", identity.NoticeArgs{
			URL: s.o.BaseURL + "/account/privacy", Count: int(s.o.ExportTTL / (24 * time.Hour))})
		if err != nil {
			return err
		}
		notices = append(notices, n)
		if err := s.requestDone(ctx, tx, "export_id = ? AND channel = 'portal'", RequestFulfilled, "export:"+id, id); err != nil {
			return err
		}
		return s.o.Audit.Record(ctx, tx, audit.Event{Action: "privacy.export.ready", Target: "account:" + accountID,
			Subject: subject(accountID), Details: map[string]any{"export": id, "bytes": size}})
	})
	if err != nil {
		return err
	}
	s.o.Accounts.Send(ctx, notices)
	return nil
}

func (s *Service) exportPath(id string) string { return filepath.Join(s.exportDir(), id+".zip.sealed") }

// writeExport writes the sealed ZIP and returns its size on disk.
func (s *Service) writeExport(ctx context.Context, id, accountID, locale string, key *keyring.DataKey) (int64, error) {
	if err := os.MkdirAll(s.exportDir(), 0o700); err != nil {
		return 0, err
	}
	f, err := os.OpenFile(s.exportPath(id)+".part", os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sw := newSealWriter(f, key, id)
	zw := zip.NewWriter(sw)
	if err := writeReadme(zw, locale, s.o.Registry); err != nil {
		return 0, err
	}
	for i, t := range s.o.Registry.Personal() {
		if err := s.exportTable(ctx, zw, t, accountID, key); err != nil {
			return 0, err
		}
		if err := s.o.DB.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE privacy_exports SET done = ?, lease_until = ? WHERE id = ?`, i+1, tx.Now().Add(leaseFor), id)
			return err
		}); err != nil {
			return 0, err
		}
	}
	for _, p := range s.o.Participants {
		err := p.ExportFiles(ctx, accountID, func(name string, r io.Reader) error {
			w, err := createFile(zw, path.Join("files", path.Clean("/" + name)[1:]), nil)
			if err != nil {
				return err
			}
			_, err = io.Copy(w, r)
			return err
		})
		if err != nil {
			return 0, err
		}
	}
	if err := errors.Join(zw.Close(), sw.Close(), f.Sync()); err != nil {
		return 0, err
	}
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if err := os.Rename(f.Name(), s.exportPath(id)); err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// exportTable writes data/<table>.json and data/<table>.csv, and the
// table's file columns as files of their own.
func (s *Service) exportTable(ctx context.Context, zw *zip.Writer, t Declared, accountID string, key *keyring.DataKey) error {
	return s.o.DB.Read(ctx, func(tx *db.Tx) error {
		dir := "data/" + categoryOf(t.Table) + "/"
		w, err := zw.Create(dir + t.Name + ".json")
		if err != nil {
			return err
		}
		io.WriteString(w, "[")
		n := 0
		err = eachRow(ctx, tx, t, accountID, key, func(cols []string, row pd.Row) error {
			for _, c := range t.Files {
				if row[c] != nil {
					row[c] = fileName(t, n, row, c)
				}
			}
			b, err := json.Marshal(row)
			if err != nil {
				return err
			}
			if n > 0 {
				io.WriteString(w, ",")
			}
			n++
			_, err = w.Write(append([]byte("\n"), b...))
			return err
		})
		if err != nil {
			return err
		}
		io.WriteString(w, "\n]\n")
		if err := s.exportCSV(ctx, tx, zw, dir, t, accountID, key); err != nil {
			return err
		}
		if len(t.Files) == 0 {
			return nil
		}
		n = 0
		return eachRow(ctx, tx, t, accountID, key, func(cols []string, row pd.Row) error {
			defer func() { n++ }()
			for _, c := range t.Files {
				if row[c] == nil {
					continue
				}
				fw, err := createFile(zw, fileName(t, n, row, c), row["content_type"])
				if err != nil {
					return err
				}
				switch v := row[c].(type) {
				case string:
					_, err = io.WriteString(fw, v)
				case []byte:
					_, err = fw.Write(v)
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
	})
}

func (s *Service) exportCSV(ctx context.Context, tx *db.Tx, zw *zip.Writer, dir string, t Declared, accountID string, key *keyring.DataKey) error {
	w, err := zw.Create(dir + t.Name + ".csv")
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	header := false
	n := 0
	err = eachRow(ctx, tx, t, accountID, key, func(cols []string, row pd.Row) error {
		if !header {
			header = true
			if err := cw.Write(cols); err != nil {
				return err
			}
		}
		rec := make([]string, len(cols))
		for i, c := range cols {
			if t.IsFile(c) && row[c] != nil {
				rec[i] = fileName(t, n, row, c)
				continue
			}
			rec[i] = cell(row[c])
		}
		n++
		return cw.Write(csvsafe.Row(rec))
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// createFile adds a file to the ZIP: deflated, unless its content type
// (or, without one, its name) says it is compressed already — images,
// PDFs, archives, gzip'd recordings gain nothing from deflate, which would
// spend most of an export's time on them.
func createFile(zw *zip.Writer, name string, contentType any) (io.Writer, error) {
	method := zip.Deflate
	if compressed(name, contentType) {
		method = zip.Store
	}
	return zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
}

func compressed(name string, contentType any) bool {
	if ct, ok := contentType.(string); ok && ct != "" {
		ct, _, _ = strings.Cut(strings.ToLower(ct), ";")
		switch strings.TrimSpace(ct) {
		case "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "application/zip", "application/gzip",
			"application/x-gzip", "application/x-7z-compressed", "application/vnd.rar":
			return true
		}
		return strings.HasPrefix(ct, "video/") || strings.HasPrefix(ct, "audio/")
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf", ".zip", ".gz", ".7z", ".rar", ".mp4", ".webm", ".mp3", ".ogg":
		return true
	}
	return false
}

// fileName names the n-th row's file column inside the ZIP, keeping the
// file's own name when the row has one.
func fileName(t Declared, n int, row pd.Row, column string) string {
	name := strings.TrimSuffix(column, "_sealed")
	if fn, ok := row["filename_sealed"].(string); ok && fn != unreadable && fn != "" {
		name = path.Base("/" + strings.ReplaceAll(fn, "\\", "/"))
	}
	return fmt.Sprintf("files/%s/%04d-%s", t.Name, n+1, name)
}

// categoryOf is the folder a table goes in: its most telling category
// (a conversation's messages are content, though they name an account).
func categoryOf(t pd.Table) string {
	for _, c := range []pd.Category{pd.Recording, pd.Content, pd.Payment, pd.SecurityLog, pd.Device, pd.Contact} {
		for _, have := range t.Personal {
			if have == c {
				return string(c)
			}
		}
	}
	return string(pd.Identity)
}

// Download hands the owner their built export once: the export is marked
// downloaded (audited) before the first byte, and its file is deleted
// when the stream is closed. A second download, an expired export, or
// another account's gets ErrGone or ErrNotFound.
func (s *Service) Download(ctx context.Context, accountID, id string) (io.ReadCloser, error) {
	var key *keyring.DataKey
	err := s.o.DB.Write(ctx, func(tx *db.Tx) error {
		var status string
		var exp sql.NullTime
		err := tx.QueryRow(ctx, `SELECT status, expires_at FROM privacy_exports WHERE id = ? AND account_id = ?`+tx.ForUpdate(),
			id, accountID).Scan(&status, &exp)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		switch {
		case status == ExportPending || status == ExportBuilding:
			return ErrNotReady
		case status != ExportReady || !exp.Valid || !tx.Now().Before(exp.Time):
			return ErrGone
		}
		if _, err := tx.Exec(ctx, `UPDATE privacy_exports SET status = ?, downloaded_at = ? WHERE id = ?`, ExportDownloaded, tx.Now(), id); err != nil {
			return err
		}
		key, err = s.o.Keys.DataKey(ctx, tx, subject(accountID))
		if err != nil {
			return err
		}
		return s.o.Audit.Record(ctx, tx, audit.Event{Action: "privacy.export.download", Target: "account:" + accountID,
			Subject: subject(accountID), Details: map[string]any{"export": id}})
	})
	if err != nil {
		return nil, err
	}
	f, err := os.Open(s.exportPath(id))
	if err != nil {
		return nil, fmt.Errorf("privacy: export file: %w", err)
	}
	return &downloadReader{Reader: newSealReader(f, key, id), f: f}, nil
}

// downloadReader deletes the export's file when it is closed.
type downloadReader struct {
	io.Reader
	f *os.File
}

func (d *downloadReader) Close() error {
	return errors.Join(d.f.Close(), os.Remove(d.f.Name()))
}
