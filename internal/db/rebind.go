package db

import (
	"strconv"
	"strings"
	"sync"
)

// rebinds caches PostgreSQL versions of queries: the same few hundred query
// strings are rewritten on every call otherwise.
var rebinds sync.Map

// rebind turns "?" placeholders into PostgreSQL's "$1, $2, …". It skips
// question marks inside string literals, quoted identifiers and comments, and
// leaves "??" alone as a literal "?" (for PostgreSQL's jsonb operators).
// This is the one place where placeholder differences are handled.
func rebind(d Dialect, query string) string {
	if d != Postgres || !strings.Contains(query, "?") {
		return query
	}
	if q, ok := rebinds.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch c {
		case '\'', '"':
			j := strings.IndexByte(query[i+1:], c)
			if j < 0 {
				b.WriteString(query[i:])
				i = len(query)
				continue
			}
			b.WriteString(query[i : i+j+2])
			i += j + 1
		case '-':
			if i+1 < len(query) && query[i+1] == '-' {
				j := strings.IndexByte(query[i:], '\n')
				if j < 0 {
					j = len(query) - i
				}
				b.WriteString(query[i : i+j])
				i += j - 1
				continue
			}
			b.WriteByte(c)
		case '?':
			if i+1 < len(query) && query[i+1] == '?' {
				b.WriteByte('?')
				i++
				continue
			}
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	q := b.String()
	rebinds.Store(query, q)
	return q
}
