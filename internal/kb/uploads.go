package kb

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"path"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// Files of articles: the pictures of step-by-step guides, and PDFs. An
// editor uploads them in the console; the help centre serves them at
// /help/files/{id} while their article is published, and Markdown shows
// them with ![alt](/help/files/{id}). What a file is comes from its
// content, never its name or declared type: a page named .png is refused.

// MaxFileBytes bounds one file.
const MaxFileBytes = 5 << 20

// FileTypes are the accepted kinds, as sniffed, with their extension.
var FileTypes = map[string]string{
	"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp", "application/pdf": ".pdf",
}

// Errors of files.
var (
	ErrFileType     = errors.New("kb: only PNG, JPEG, GIF and WebP pictures and PDF files are accepted")
	ErrFileTooLarge = invalid("file", "a file of at most 5 MB")
)

// File describes a stored file.
type File struct {
	ID          string    `json:"id"`
	ArticleID   string    `json:"article_id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int       `json:"size"`
	CreatedAt   time.Time `json:"created_at"`
	// Published is true while the file's article is published: the help
	// centre serves it to everyone.
	Published bool `json:"published"`
}

// URL is the file's address on the help centre.
func (f *File) URL() string { return "/help/files/" + f.ID }

// Image reports whether the file is a picture (shown inline).
func (f *File) Image() bool { return strings.HasPrefix(f.ContentType, "image/") }

// FileIDPattern matches a file id.
var FileIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// sniffFile returns the accepted type of data, or "".
func sniffFile(data []byte) string {
	ct := http.DetectContentType(data)
	if _, ok := FileTypes[ct]; !ok {
		return ""
	}
	return ct
}

// fileName keeps the last element of an uploaded name, without control
// or path characters, with the extension of what the file really is.
func fileName(name, ctype string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || strings.ContainsRune(`/\"<>:|?*`, r) {
			return '_'
		}
		return r
	}, name)
	if r := []rune(name); len(r) > 100 {
		name = string(r[len(r)-100:])
	}
	ext := FileTypes[ctype]
	if strings.Trim(name, "._ ") == "" {
		name = "file"
	}
	if !strings.EqualFold(path.Ext(name), ext) && !(ext == ".jpg" && strings.EqualFold(path.Ext(name), ".jpeg")) {
		name += ext
	}
	return name
}

// AddFile stores a file of an article.
func (s *Service) AddFile(ctx context.Context, articleID, filename string, data []byte) (*File, error) {
	return s.putFile(ctx, articleID, newID(), filename, data)
}

// ImportFile stores a file under the id it had when exported, so that
// the Markdown naming it still does; a file that exists is left alone.
func (s *Service) ImportFile(ctx context.Context, articleID, id, filename string, data []byte) (*File, error) {
	if !FileIDPattern.MatchString(id) {
		return nil, invalid("file", "a file id is 32 hexadecimal digits")
	}
	if f, _, err := s.FileData(ctx, id); err == nil {
		return f, nil
	}
	return s.putFile(ctx, articleID, id, filename, data)
}

func (s *Service) putFile(ctx context.Context, articleID, id, filename string, data []byte) (*File, error) {
	switch {
	case len(data) == 0:
		return nil, invalid("file", "the file is empty")
	case len(data) > MaxFileBytes:
		return nil, ErrFileTooLarge
	}
	ct := sniffFile(data)
	if ct == "" {
		return nil, ErrFileType
	}
	f := &File{ID: id, ArticleID: articleID, Filename: fileName(filename, ct), ContentType: ct, Size: len(data)}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var status string
		if err := tx.QueryRow(ctx, "SELECT status FROM kb_articles WHERE id = ?", articleID).Scan(&status); errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		f.CreatedAt, f.Published = tx.Now(), status == StatusPublished
		if _, err := tx.Exec(ctx, "INSERT INTO kb_files (id, article_id, filename, content_type, data, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			f.ID, articleID, f.Filename, ct, data, f.CreatedAt); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "kb.file.add", Target: "article:" + articleID,
			Details: map[string]any{"file": f.ID, "content_type": ct, "size": len(data)}})
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

const fileColumns = "f.id, f.article_id, f.filename, f.content_type, f.created_at, a.status = 'published'"

// Files lists an article's files, oldest first.
func (s *Service) Files(ctx context.Context, articleID string) ([]File, error) {
	list, err := s.listFiles(ctx, "WHERE f.article_id = ? ORDER BY f.created_at, f.id", articleID)
	out := make([]File, len(list))
	for i, e := range list {
		out[i] = e.File
	}
	return out, err
}

// listFiles reads files (without their content) with their article's
// address.
func (s *Service) listFiles(ctx context.Context, rest string, args ...any) ([]ExportedFile, error) {
	var out []ExportedFile
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT "+fileColumns+", LENGTH(f.data), a.slug FROM kb_files f JOIN kb_articles a ON a.id = f.article_id "+rest, args...)
		out, err = db.Collect(rows, err, func(row db.Scanner) (e ExportedFile, err error) {
			err = row.Scan(&e.ID, &e.ArticleID, &e.Filename, &e.ContentType, &e.CreatedAt, &e.Published, &e.Size, &e.Slug)
			e.CreatedAt = e.CreatedAt.UTC()
			return e, err
		})
		return err
	})
	return out, err
}

// FileData returns a file and its content.
func (s *Service) FileData(ctx context.Context, id string) (*File, []byte, error) {
	if !FileIDPattern.MatchString(id) {
		return nil, nil, ErrNotFound
	}
	var f File
	var data []byte
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT "+fileColumns+", f.data FROM kb_files f JOIN kb_articles a ON a.id = f.article_id WHERE f.id = ?", id).
			Scan(&f.ID, &f.ArticleID, &f.Filename, &f.ContentType, &f.CreatedAt, &f.Published, &data)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	f.Size, f.CreatedAt = len(data), f.CreatedAt.UTC()
	return &f, data, nil
}

// DeleteFile removes a file and returns its article's id.
func (s *Service) DeleteFile(ctx context.Context, id string) (string, error) {
	var articleID string
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		err := tx.QueryRow(ctx, "DELETE FROM kb_files WHERE id = ? RETURNING article_id", id).Scan(&articleID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "kb.file.delete", Target: "article:" + articleID, Details: map[string]any{"file": id}})
	})
	return articleID, err
}

// ExportedFile is a file with its article's address, for export.
type ExportedFile struct {
	File
	Slug string
}

// AllFiles lists every file (without content), for export.
func (s *Service) AllFiles(ctx context.Context) ([]ExportedFile, error) {
	return s.listFiles(ctx, "ORDER BY a.slug, f.id")
}
