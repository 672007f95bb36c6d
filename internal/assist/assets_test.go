package assist_test

import (
	"bytes"
	"testing"

	"github.com/frontdesk/frontdesk/internal/assist"
)

// The embedded browser files: present once scripts/build-assets.sh has run
// (make run, build and test run it), absent but compiling otherwise.
func TestAssets(t *testing.T) {
	for _, name := range []string{"README.md", "../assist.go", "static/README.md", ""} {
		if _, ok := assist.Asset(name); ok {
			t.Errorf("Asset(%q) served", name)
		}
	}
	rec, ok := assist.Asset(assist.AssetRecorder)
	if !ok {
		t.Skip("the rrweb bundle is not built here (scripts/build-assets.sh)")
	}
	replay, ok := assist.Asset(assist.AssetReplayer)
	if !ok || !bytes.Contains(rec, []byte("rrwebRecord")) || !bytes.Contains(replay, []byte("rrwebReplay")) {
		t.Fatal("the embedded files are not the rrweb UMD builds")
	}
}
