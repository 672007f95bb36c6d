// Package csvsafe escapes CSV cells against formula injection: a spreadsheet
// that opens an export must show every cell as text, never run it
// (OWASP "CSV Injection"; ASVS 1.2.10).
package csvsafe

// Cell returns s with a single quote in front when it starts with a
// character a spreadsheet reads as the start of a formula (= + - @) or
// skips before one (tab, carriage return). Other values come back unchanged,
// so ordinary text and the empty string stay as they are.
func Cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// Row escapes every cell of row in place and returns it.
func Row(row []string) []string {
	for i := range row {
		row[i] = Cell(row[i])
	}
	return row
}
