package bulkfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"unicode/utf8"
)

// readJSON reads the next non-blank line of a JSON Lines file: one object
// whose members are the fields, each a string or null; send_invite may
// also be a JSON boolean.
func (r *Reader) readJSON() (rawRow, error) {
	for {
		line, err := r.readLine()
		if errors.Is(err, errLineTooLong) {
			raw := rawRow{line: r.line}
			raw.problem("row", r.tooLong())
			return raw, nil
		}
		if err != nil {
			return rawRow{}, err
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		raw := rawRow{line: r.line}
		if !utf8.Valid(line) {
			raw.problem("row", "invalid UTF-8")
			return raw, nil
		}
		parseObject(line, &raw)
		return raw, nil
	}
}

// parseObject fills raw from one JSON object, recording every unknown,
// repeated or mistyped member.
func parseObject(line []byte, raw *rawRow) {
	dec := json.NewDecoder(bytes.NewReader(line))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		raw.problem("row", "not a JSON object")
		return
	}
	var seen [nFields]bool
	for dec.More() {
		tok, err := dec.Token()
		key, ok := tok.(string)
		if err != nil || !ok {
			raw.problem("row", "malformed JSON")
			return
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			raw.problem("row", "malformed JSON")
			return
		}
		idx := fieldIndex(key)
		switch {
		case idx < 0:
			raw.problem(columnLabel(key), "unknown field")
			continue
		case seen[idx]:
			raw.problem(key, "appears twice")
			continue
		}
		seen[idx] = true
		switch {
		case bytes.Equal(v, []byte("null")):
		case v[0] == '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				raw.problem(key, "malformed JSON string")
				continue
			}
			raw.vals[idx] = s
		case idx == fInvite && (bytes.Equal(v, []byte("true")) || bytes.Equal(v, []byte("false"))):
			raw.vals[idx] = string(v)
		case idx == fInvite:
			raw.problem(key, "not true or false")
		default:
			raw.problem(key, "must be a string")
		}
	}
	if _, err := dec.Token(); err != nil {
		raw.problem("row", "malformed JSON")
		return
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		raw.problem("row", "text after the JSON object")
	}
}
