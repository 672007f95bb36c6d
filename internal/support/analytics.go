package support

import (
	"context"
	"database/sql"
	"slices"
	"sort"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Analytics for supervisors: what comes in (by channel and category, per
// day), how fast the desk answers and resolves (median and 90th
// percentile), how often it misses its SLA, how satisfied customers are,
// and each agent's share. Computed from the conversations started in a
// date range (merged ones left out), without their text.

// MaxAnalyticsDays bounds a report's range.
const MaxAnalyticsDays = 366

// Durations summarises a set of durations.
type Durations struct {
	Count  int           `json:"count"`
	Median time.Duration `json:"median"`
	P90    time.Duration `json:"p90"`
}

// DayCount is one day's conversations per channel.
type DayCount struct {
	Day       time.Time      `json:"day"`
	ByChannel map[string]int `json:"by_channel"`
	Total     int            `json:"total"`
}

// CategoryCount is how many conversations a category had.
type CategoryCount struct {
	Category string `json:"category"` // "" for uncategorised
	Count    int    `json:"count"`
}

// AgentStats is one agent's work in the range.
type AgentStats struct {
	AgentID       string    `json:"agent_id"`
	Assigned      int       `json:"assigned"`
	Resolved      int       `json:"resolved"`
	FirstResponse Durations `json:"first_response"`
	CSAT          float64   `json:"csat"` // average rating, 0 without ratings
	Ratings       int       `json:"ratings"`
}

// Report is the analytics of a range.
type Report struct {
	From, To      time.Time       `json:"-"`
	Total         int             `json:"total"`
	Days          []DayCount      `json:"days"`
	Categories    []CategoryCount `json:"categories"` // most common first
	FirstResponse Durations       `json:"first_response"`
	Resolution    Durations       `json:"resolution"`
	Breached      int             `json:"sla_breached"`
	BreachRate    float64         `json:"sla_breach_rate"` // 0..1
	Ratings       [5]int          `json:"ratings"`         // how many 1s … 5s
	CSAT          float64         `json:"csat"`            // average rating
	Satisfied     float64         `json:"satisfied"`       // share of 4s and 5s, 0..1
	Agents        []AgentStats    `json:"agents"`
}

// Analytics computes the report of the conversations started from from
// (inclusive) to to (exclusive), counting days in loc.
func (s *Service) Analytics(ctx context.Context, from, to time.Time, loc *time.Location) (*Report, error) {
	if !to.After(from) || to.Sub(from) > MaxAnalyticsDays*24*time.Hour {
		return nil, invalid("range", "choose a range of 1 to 366 days")
	}
	if loc == nil {
		loc = time.UTC
	}
	r := &Report{From: from, To: to}
	type conv struct {
		created        time.Time
		channel        string
		category       string
		assignee       string
		firstAt, resAt *time.Time
		breached       bool
		score          int
	}
	var list []conv
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT c.created_at, c.channel, c.category, c.assignee_id, c.first_response_at, c.resolved_at, c.breached, v.score
			FROM conversations c LEFT JOIN support_surveys v ON v.conversation_id = c.id
			WHERE c.created_at >= ? AND c.created_at < ? AND c.merged_into IS NULL`, from.UTC(), to.UTC())
		list, err = db.Collect(rows, err, func(row db.Scanner) (c conv, err error) {
			var category, assignee sql.NullString
			var first, res sql.NullTime
			var score sql.NullInt64
			err = row.Scan(&c.created, &c.channel, &category, &assignee, &first, &res, &c.breached, &score)
			c.category, c.assignee, c.firstAt, c.resAt, c.score = category.String, assignee.String, timePtr(first), timePtr(res), int(score.Int64)
			return c, err
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	// Every day of the range, empty ones included, so charts have no gaps.
	days := map[string]int{} // date → index in r.Days
	for d := dayOf(from, loc); d.Before(to); d = d.AddDate(0, 0, 1) {
		days[d.Format(time.DateOnly)] = len(r.Days)
		r.Days = append(r.Days, DayCount{Day: d, ByChannel: map[string]int{}})
	}
	cats := map[string]int{}
	var first, resolution []time.Duration
	agents := map[string]*AgentStats{}
	agentFirst := map[string][]time.Duration{}
	agentScores := map[string]int{}
	scoreSum := 0
	for _, c := range list {
		r.Total++
		if i, ok := days[dayOf(c.created, loc).Format(time.DateOnly)]; ok {
			r.Days[i].ByChannel[c.channel]++
			r.Days[i].Total++
		}
		cats[c.category]++
		if c.firstAt != nil {
			first = append(first, c.firstAt.Sub(c.created))
		}
		if c.resAt != nil {
			resolution = append(resolution, c.resAt.Sub(c.created))
		}
		if c.breached {
			r.Breached++
		}
		if c.score >= 1 && c.score <= 5 {
			r.Ratings[c.score-1]++
			scoreSum += c.score
		}
		if c.assignee != "" {
			a := agents[c.assignee]
			if a == nil {
				a = &AgentStats{AgentID: c.assignee}
				agents[c.assignee] = a
			}
			a.Assigned++
			if c.resAt != nil {
				a.Resolved++
			}
			if c.firstAt != nil {
				agentFirst[c.assignee] = append(agentFirst[c.assignee], c.firstAt.Sub(c.created))
			}
			if c.score > 0 {
				a.Ratings++
				agentScores[c.assignee] += c.score
			}
		}
	}
	r.FirstResponse, r.Resolution = summarize(first), summarize(resolution)
	if r.Total > 0 {
		r.BreachRate = float64(r.Breached) / float64(r.Total)
	}
	if rated := r.Ratings[0] + r.Ratings[1] + r.Ratings[2] + r.Ratings[3] + r.Ratings[4]; rated > 0 {
		r.CSAT = float64(scoreSum) / float64(rated)
		r.Satisfied = float64(r.Ratings[3]+r.Ratings[4]) / float64(rated)
	}
	for k, n := range cats {
		r.Categories = append(r.Categories, CategoryCount{Category: k, Count: n})
	}
	sort.Slice(r.Categories, func(i, j int) bool {
		if r.Categories[i].Count != r.Categories[j].Count {
			return r.Categories[i].Count > r.Categories[j].Count
		}
		return r.Categories[i].Category < r.Categories[j].Category
	})
	for id, a := range agents {
		a.FirstResponse = summarize(agentFirst[id])
		if a.Ratings > 0 {
			a.CSAT = float64(agentScores[id]) / float64(a.Ratings)
		}
		r.Agents = append(r.Agents, *a)
	}
	sort.Slice(r.Agents, func(i, j int) bool {
		if r.Agents[i].Assigned != r.Agents[j].Assigned {
			return r.Agents[i].Assigned > r.Agents[j].Assigned
		}
		return r.Agents[i].AgentID < r.Agents[j].AgentID
	})
	return r, nil
}

func dayOf(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// summarize returns the count, median and 90th percentile (nearest rank).
func summarize(d []time.Duration) Durations {
	if len(d) == 0 {
		return Durations{}
	}
	slices.Sort(d)
	rank := func(p float64) time.Duration {
		i := int(p*float64(len(d))+0.999999) - 1
		return d[max(0, min(i, len(d)-1))]
	}
	return Durations{Count: len(d), Median: rank(0.5), P90: rank(0.9)}
}
