package app

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/backup"
)

// runKeysExport writes the keys a restore needs (master key, audit
// signing key, the backup key pair if made here) as a tar archive sealed
// with age, to an age recipient or under a passphrase: the copy of the keys
// kept apart from the backups. Restore it with
// `age -d keys.age | tar -x -C DIR/keys`.
func runKeysExport(ctx context.Context, env Env, args []string) error {
	fs, build := flagSet("keys export", env)
	out := fs.String("out", "", "file to write (required); it must not exist")
	recipient := fs.String("recipient", "", "age public key (age1…) to seal to; without it a passphrase is read from --passphrase-file or standard input")
	passFile := fs.String("passphrase-file", "", "file whose first line is the passphrase (at least 16 characters)")
	cfg, err := parse(fs, build, args, env)
	if err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(env.Stderr, "frontdesk keys export: --out FILE is required")
		return errUsage
	}
	var rcpt age.Recipient
	if *recipient != "" {
		if rcpt, err = backup.ParseRecipient(*recipient); err != nil {
			return err
		}
	} else {
		pass, err := readPassphrase(env, *passFile)
		if err != nil {
			return err
		}
		if rcpt, err = age.NewScryptRecipient(pass); err != nil {
			return err
		}
	}
	files := map[string]string{"master.key": cfg.MasterKeyFile, "audit-ed25519.key": cfg.AuditSigningKeyFile}
	if _, err := os.Stat(cfg.Backup.IdentityFile); err == nil {
		files["backup-age.key"] = cfg.Backup.IdentityFile
	}
	var archive bytes.Buffer
	tw := tar.NewWriter(&archive)
	var names []string
	for _, name := range []string{"master.key", "audit-ed25519.key", "backup-age.key"} {
		path, ok := files[name]
		if !ok {
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(b)), ModTime: time.Now()}); err != nil {
			return err
		}
		tw.Write(b)
		names = append(names, name)
	}
	if err := tw.Close(); err != nil {
		return err
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	w, err := age.Encrypt(f, rcpt)
	if err == nil {
		_, err = w.Write(archive.Bytes())
	}
	if err == nil {
		err = w.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(*out)
		return fmt.Errorf("write %s: %w", *out, err)
	}
	sys, err := openSystem(ctx, cfg, newLogger(cfg, env.Stderr), needCurrent)
	if err == nil {
		err = sys.record(ctx, audit.Event{Action: "keys.export", Target: "keys", Details: map[string]any{"files": names, "to_recipient": *recipient != ""}})
		sys.close()
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s written to %s, sealed with age; restore with: age -d %s | tar -x -C DIR/keys\n",
		strings.Join(names, ", "), *out, filepath.Base(*out))
	return nil
}

func readPassphrase(env Env, file string) (string, error) {
	var line string
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		line = strings.SplitN(string(b), "\n", 2)[0]
	} else if env.Stdin != nil {
		fmt.Fprint(env.Stderr, "passphrase for the key export: ")
		s, _ := bufio.NewReader(env.Stdin).ReadString('\n')
		line = s
	}
	line = strings.TrimRight(line, "\r\n")
	if len([]rune(line)) < 16 {
		return "", errors.New("the passphrase must have at least 16 characters")
	}
	return line, nil
}
