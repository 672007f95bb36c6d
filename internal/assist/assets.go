package assist

import (
	"embed"
	"io/fs"
	"path"
)

// static holds the browser builds of rrweb that scripts/build-assets.sh
// copies from web/assist (not committed; the folder's README keeps the
// embed compiling before the build step has run).
//
//go:embed static
var static embed.FS

// Browser files of remote assistance.
const (
	AssetRecorder   = "rrweb-record.js"  // @rrweb/record, global rrwebRecord
	AssetReplayer   = "rrweb-replay.js"  // @rrweb/replay, global rrwebReplay
	AssetReplayCSS  = "rrweb-replay.css" // the replayer's styles
	AssetThirdParty = "rrweb-NOTICE.txt" // names, versions and licence
)

// Asset returns one of the browser files, and false when it is absent
// (the build step did not run): the web layer then answers 404 and the
// co-browsing pages say the recorder is not installed.
func Asset(name string) ([]byte, bool) {
	if name != path.Base(name) || name == "README.md" {
		return nil, false
	}
	b, err := fs.ReadFile(static, "static/"+name)
	return b, err == nil
}
