package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/frontdesk/frontdesk/internal/kb"
)

// runKBImport imports a directory of article files (kb.ParseFile), every
// *.md file under DIR, then the articles' pictures and PDFs under
// DIR/files/<slug>/<id>-<name> (as kb export writes them; the id keeps the
// Markdown's /help/files/<id> links working). Idempotent: a translation
// that exists is replaced by the file's (a new version in its history), a
// file that exists is left alone, and unknown categories are created with
// their id as their name. Every file is read and checked first (front
// matter, a supported BCP 47 locale: kb.ParseFile): a mistake in any of
// them is reported as FILE:LINE: reason, nothing is imported and the exit
// status is 2. A file the knowledge base then refuses is reported with its
// file, the other files are imported, and the exit status is 1.
func runKBImport(ctx context.Context, env Env, args []string) error {
	fset, build := flagSet("kb import DIR", env)
	cfg, dirs, err := parseWithFiles(fset, build, args, env)
	if err != nil {
		return err
	}
	sys, err := openSystem(ctx, cfg, newLogger(cfg, env.Stderr), needCurrent)
	if err != nil {
		return err
	}
	defer sys.close()
	var files []string
	err = filepath.WalkDir(dirs[0], func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".md") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(files)
	articles, bad := make([]kb.Exported, len(files)), 0
	for i, p := range files {
		var err error
		if articles[i], err = readArticle(p); err != nil {
			var fe *kb.FileError
			if errors.As(err, &fe) && fe.Line > 0 {
				fmt.Fprintf(env.Stderr, "%s:%d: %s\n", p, fe.Line, sentence(errors.New(fe.Reason)))
			} else {
				fmt.Fprintf(env.Stderr, "%s: %s\n", p, sentence(err))
			}
			bad++
		}
	}
	if bad > 0 {
		fmt.Fprintf(env.Stderr, "%d of %d article files have mistakes (above): nothing imported\n", bad, len(files))
		return errUsage
	}
	done, failed := 0, 0
	for i, p := range files {
		if err := importArticle(ctx, sys.kb, articles[i]); err != nil {
			fmt.Fprintf(env.Stderr, "%s: %s\n", p, sentence(err))
			failed++
			continue
		}
		done++
	}
	fmt.Fprintf(env.Stdout, "imported %d article files from %s", done, dirs[0])
	if failed > 0 {
		fmt.Fprintf(env.Stdout, "; %d refused (above)", failed)
	}
	fmt.Fprintln(env.Stdout)
	attached, refused, err := importArticleFiles(ctx, sys.kb, filepath.Join(dirs[0], "files"), env)
	if err != nil {
		return err
	}
	if attached+refused > 0 {
		fmt.Fprintf(env.Stdout, "imported %d files of articles", attached)
		if refused > 0 {
			fmt.Fprintf(env.Stdout, "; %d refused (above)", refused)
		}
		fmt.Fprintln(env.Stdout)
	}
	if failed+refused > 0 {
		return errBroken
	}
	return nil
}

// importArticleFiles imports dir/<slug>/<id>-<name> into the article at
// slug, keeping the id; a missing dir imports nothing.
func importArticleFiles(ctx context.Context, s *kb.Service, dir string, env Env) (done, failed int, err error) {
	slugs, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	for _, sd := range slugs {
		if !sd.IsDir() {
			continue
		}
		entries, err := os.ReadDir(filepath.Join(dir, sd.Name()))
		if err != nil {
			return done, failed, err
		}
		for _, e := range entries {
			p := filepath.Join(dir, sd.Name(), e.Name())
			if err := importArticleFile(ctx, s, sd.Name(), p, e.Name()); err != nil {
				fmt.Fprintf(env.Stderr, "%s: %s\n", p, sentence(err))
				failed++
				continue
			}
			done++
		}
	}
	return done, failed, nil
}

func importArticleFile(ctx context.Context, s *kb.Service, slug, path, name string) error {
	id, filename, ok := strings.Cut(name, "-")
	if !ok || !kb.FileIDPattern.MatchString(id) {
		return errors.New("a file of an article is named <32 hexadecimal digits>-<name>, as kb export writes it")
	}
	articleID, err := s.IDBySlug(ctx, slug)
	if err != nil {
		return err
	}
	if articleID == "" {
		return fmt.Errorf("there is no article %q for this file", slug)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	_, err = s.ImportFile(ctx, articleID, id, filename, data)
	return err
}

// readArticle reads and checks an article file.
func readArticle(path string) (kb.Exported, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return kb.Exported{}, err
	}
	return kb.ParseFile(string(b))
}

func importArticle(ctx context.Context, s *kb.Service, e kb.Exported) error {
	if e.Category != "" {
		ok, err := s.CategoryExists(ctx, e.Category)
		if err != nil {
			return err
		}
		if !ok {
			if err := s.SaveCategory(ctx, kb.Category{ID: e.Category, Names: map[string]string{"en": e.Category, "vi": e.Category, "zh": e.Category}}); err != nil {
				return err
			}
		}
	}
	id, err := s.IDBySlug(ctx, e.Slug)
	if err != nil {
		return err
	}
	_, err = s.Save(ctx, kb.Input{ID: id, Slug: e.Slug, CategoryID: e.Category, Status: e.Status, Locale: e.Locale, Title: e.Title,
		Summary: e.Summary, BodyMD: e.BodyMD, AuthorID: "import"})
	return err
}

// runKBExport writes every translation to DIR/<slug>.<locale>.md and
// every file of an article to DIR/files/<slug>/<id>-<name>.
func runKBExport(ctx context.Context, env Env, args []string) error {
	fset, build := flagSet("kb export DIR", env)
	cfg, dirs, err := parseWithFiles(fset, build, args, env)
	if err != nil {
		return err
	}
	sys, err := openSystem(ctx, cfg, newLogger(cfg, env.Stderr), needCurrent)
	if err != nil {
		return err
	}
	defer sys.close()
	all, err := sys.kb.All(ctx)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dirs[0], 0o755); err != nil {
		return err
	}
	for _, e := range all {
		if err := os.WriteFile(filepath.Join(dirs[0], e.Slug+"."+e.Locale+".md"), []byte(kb.FormatFile(e)), 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.Stdout, "exported %d article files to %s\n", len(all), dirs[0])
	files, err := sys.kb.AllFiles(ctx)
	if err != nil {
		return err
	}
	for _, f := range files {
		_, data, err := sys.kb.FileData(ctx, f.ID)
		if err != nil {
			return err
		}
		dir := filepath.Join(dirs[0], "files", f.Slug)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, f.ID+"-"+f.Filename), data, 0o644); err != nil {
			return err
		}
	}
	if len(files) > 0 {
		fmt.Fprintf(env.Stdout, "exported %d files of articles to %s\n", len(files), filepath.Join(dirs[0], "files"))
	}
	return nil
}
