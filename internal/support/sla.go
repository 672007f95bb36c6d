package support

import (
	"context"
	"slices"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
)

// SLA targets per priority: the first response and the resolution are due
// so many minutes after the conversation starts — minutes of business
// hours when BusinessHours is set (urgent counts every minute by default).
// A conversation past a due time without the response or resolution is
// breached: flagged, listed, and counted in the analytics.

// SLA is the target of one priority.
type SLA struct {
	Priority      string `json:"priority"`
	FirstResponse int    `json:"first_response_minutes"`
	Resolution    int    `json:"resolution_minutes"`
	BusinessHours bool   `json:"business_hours"`
}

// Hours is one weekday's opening, minutes after midnight in the desk's
// time zone.
type Hours struct {
	Weekday time.Weekday `json:"weekday"`
	Open    int          `json:"open_minute"`
	Close   int          `json:"close_minute"`
}

// schedule is the desk's week, for computing due times.
type schedule struct {
	loc   *time.Location
	hours map[time.Weekday][2]int
}

func (s *Service) schedule(ctx context.Context, tx *db.Tx) (*schedule, error) {
	var tz string
	if err := tx.QueryRow(ctx, "SELECT time_zone FROM support_settings WHERE id = 1").Scan(&tz); err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	rows, err := tx.Query(ctx, "SELECT weekday, open_min, close_min FROM support_hours")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sc := &schedule{loc: loc, hours: map[time.Weekday][2]int{}}
	for rows.Next() {
		var d, o, c int
		if err := rows.Scan(&d, &o, &c); err != nil {
			return nil, err
		}
		if c > o {
			sc.hours[time.Weekday(d)] = [2]int{o, c}
		}
	}
	return sc, rows.Err()
}

// add returns the time minutes after start: wall-clock minutes, or minutes
// of business hours when business is set (and the desk has any).
func (sc *schedule) add(start time.Time, minutes int, business bool) time.Time {
	if !business || len(sc.hours) == 0 {
		return start.Add(time.Duration(minutes) * time.Minute)
	}
	t := start.In(sc.loc)
	left := time.Duration(minutes) * time.Minute
	for range 800 { // two years of days at most
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, sc.loc)
		if h, ok := sc.hours[t.Weekday()]; ok {
			open := day.Add(time.Duration(h[0]) * time.Minute)
			closing := day.Add(time.Duration(h[1]) * time.Minute)
			if t.Before(open) {
				t = open
			}
			if t.Before(closing) {
				if avail := closing.Sub(t); avail >= left {
					return t.Add(left).UTC()
				} else {
					left -= avail
				}
			}
		}
		t = day.AddDate(0, 0, 1)
	}
	return t.UTC()
}

func (s *Service) sla(ctx context.Context, tx *db.Tx, priority string) (SLA, error) {
	p := SLA{Priority: priority}
	err := tx.QueryRow(ctx, "SELECT first_response, resolution, business_hours FROM support_sla WHERE priority = ?", priority).
		Scan(&p.FirstResponse, &p.Resolution, &p.BusinessHours)
	return p, err
}

// dueTimes computes a conversation's first-response and resolution due
// times from its start.
func (s *Service) dueTimes(ctx context.Context, tx *db.Tx, priority string, start time.Time) (first, resolve time.Time, err error) {
	p, err := s.sla(ctx, tx, priority)
	if err != nil {
		return
	}
	sc, err := s.schedule(ctx, tx)
	if err != nil {
		return
	}
	return sc.add(start, p.FirstResponse, p.BusinessHours), sc.add(start, p.Resolution, p.BusinessHours), nil
}

// SLAs returns the targets of every priority, lowest first.
func (s *Service) SLAs(ctx context.Context) ([]SLA, error) {
	var out []SLA
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		out = out[:0]
		for _, p := range Priorities {
			v, err := s.sla(ctx, tx, p)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

// SetSLA changes one priority's targets. Conversations already open keep
// the due times they were given.
func (s *Service) SetSLA(ctx context.Context, p SLA) error {
	if !slices.Contains(Priorities, p.Priority) {
		return invalid("priority", "unknown priority")
	}
	if p.FirstResponse <= 0 || p.Resolution < p.FirstResponse || p.Resolution > 60*24*365 {
		return invalid("minutes", "the first response needs a positive target, and the resolution one at least as long, under a year")
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE support_sla SET first_response = ?, resolution = ?, business_hours = ? WHERE priority = ?",
			p.FirstResponse, p.Resolution, p.BusinessHours, p.Priority); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, auditEvent("support.sla_change", "sla:"+p.Priority, map[string]any{
			"first_response": p.FirstResponse, "resolution": p.Resolution, "business_hours": p.BusinessHours}))
	})
}

// SetHours replaces the business hours and time zone.
func (s *Service) SetHours(ctx context.Context, tz string, week []Hours) error {
	if _, err := time.LoadLocation(tz); err != nil || tz == "" {
		return invalid("time_zone", "unknown time zone")
	}
	for _, h := range week {
		if h.Weekday < 0 || h.Weekday > 6 || h.Open < 0 || h.Close > 24*60 || h.Close <= h.Open {
			return invalid("hours", "each day needs an opening before its closing, within the day")
		}
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE support_settings SET time_zone = ? WHERE id = 1", tz); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM support_hours"); err != nil {
			return err
		}
		for _, h := range week {
			if _, err := tx.Exec(ctx, "INSERT INTO support_hours (weekday, open_min, close_min) VALUES (?, ?, ?) ON CONFLICT (weekday) DO UPDATE SET open_min = excluded.open_min, close_min = excluded.close_min",
				int(h.Weekday), h.Open, h.Close); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, tx, auditEvent("support.hours_change", "support", map[string]any{"time_zone": tz, "days": len(week)}))
	})
}

// MarkBreaches flags the conversations whose first response or resolution
// is overdue, and returns how many it flagged.
func (s *Service) MarkBreaches(ctx context.Context) (int, error) {
	var n int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		now := tx.Now()
		res, err := tx.Exec(ctx, `UPDATE conversations SET breached = TRUE
			WHERE breached = FALSE AND status IN ('open', 'pending') AND merged_into IS NULL
			AND ((first_response_at IS NULL AND first_response_due < ?) OR resolution_due < ?)`, now, now)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
