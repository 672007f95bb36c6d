package consent

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Where a customer stands on a purpose that needs consent, as the
// business's own tools see it (Standings).
const (
	// StandingGiven: the consent counts now (Has, without GPC).
	StandingGiven = "given"
	// StandingWithdrawn: the latest choice is a withdrawal.
	StandingWithdrawn = "withdrawn"
	// StandingLapsed: the latest choice is a consent under a version that
	// a material change replaced; it does not count until the customer
	// agrees again.
	StandingLapsed = "lapsed"
)

// StandingChoices lists the standings, the values of StandingQuery.Choice.
var StandingChoices = []string{StandingGiven, StandingWithdrawn, StandingLapsed}

// Paging limits of Standings.
const (
	DefaultStandingLimit = 100
	MaxStandingLimit     = 1000
)

// StandingQuery asks for one purpose's standings, a page at a time in the
// order of account ids.
type StandingQuery struct {
	Purpose string
	// Choice keeps one standing only; empty keeps all.
	Choice string
	// After is the last account id of the previous page (its cursor);
	// empty starts at the beginning.
	After string
	// Limit is the page's size, 1 to MaxStandingLimit; 0 means
	// DefaultStandingLimit.
	Limit int
}

func (q *StandingQuery) check() error {
	switch {
	case !IsOptional(q.Purpose):
		return invalid("purpose", "choose one of "+strings.Join(Optional, ", "))
	case q.Choice != "" && q.Choice != StandingGiven && q.Choice != StandingWithdrawn && q.Choice != StandingLapsed:
		return invalid("choice", "choose one of "+strings.Join(StandingChoices, ", ")+", or leave it out for all")
	case q.After != "" && !accountID(q.After):
		return invalid("after", "pass the next_cursor of the previous page unchanged")
	case q.Limit < 0 || q.Limit > MaxStandingLimit:
		return invalid("limit", "use a limit from 1 to "+strconv.Itoa(MaxStandingLimit))
	}
	if q.Limit == 0 {
		q.Limit = DefaultStandingLimit
	}
	return nil
}

// accountID reports whether s has the shape of an account id (32
// lowercase hexadecimal digits), as a cursor must.
func accountID(s string) bool {
	return len(s) == 32 && strings.Trim(s, "0123456789abcdef") == ""
}

// Standing is where one customer stands on a purpose: their latest record
// and what it means now.
type Standing struct {
	AccountID string    `json:"account_id"`
	Purpose   string    `json:"purpose"`
	Choice    string    `json:"choice"` // StandingGiven, StandingWithdrawn or StandingLapsed
	Version   int       `json:"notice_version"`
	Channel   string    `json:"channel"`
	At        time.Time `json:"recorded_at"`
	RecordID  string    `json:"record_id"`
}

// StandingsIn lists, for every customer with a record about the query's
// purpose, where they stand: one page, in the order of account ids, and
// the cursor of the next page ("" after the last). A withdrawal is not a
// consent, nor is a consent a material change made lapse. The Global
// Privacy Control signal plays no part: it is a browser's, and this is the
// ledger read by the business's own tools. It runs in the caller's
// transaction, so that the caller can add what it knows of each account.
func (s *Service) StandingsIn(ctx context.Context, tx *db.Tx, q StandingQuery) ([]Standing, string, error) {
	if err := q.check(); err != nil {
		return nil, "", fmt.Errorf("consent: %w", err)
	}
	floor, err := s.floorIn(ctx, tx, q.Purpose)
	if err != nil {
		return nil, "", err
	}
	sql := `SELECT r.account_id, r.choice, r.version, r.channel, r.created_at, r.id FROM consent_records r
		WHERE r.purpose = ? AND r.account_id > ?
		AND r.seq = (SELECT MAX(x.seq) FROM consent_records x WHERE x.account_id = r.account_id AND x.purpose = r.purpose)`
	args := []any{q.Purpose, q.After}
	switch q.Choice {
	case StandingGiven:
		sql += ` AND r.choice = ? AND r.version >= ?`
		args = append(args, Given, floor)
	case StandingLapsed:
		sql += ` AND r.choice = ? AND r.version < ?`
		args = append(args, Given, floor)
	case StandingWithdrawn:
		sql += ` AND r.choice = ?`
		args = append(args, Withdrawn)
	}
	rows, err := tx.Query(ctx, sql+` ORDER BY r.account_id LIMIT ?`, append(args, q.Limit+1)...)
	out, err := db.Collect(rows, err, func(r db.Scanner) (Standing, error) {
		st := Standing{Purpose: q.Purpose}
		err := r.Scan(&st.AccountID, &st.Choice, &st.Version, &st.Channel, &st.At, &st.RecordID)
		st.At = st.At.UTC()
		if st.Choice == Given && st.Version < floor {
			st.Choice = StandingLapsed
		}
		return st, err
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > q.Limit {
		out = out[:q.Limit]
		next = out[q.Limit-1].AccountID
	}
	return out, next, nil
}
