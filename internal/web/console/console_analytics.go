package console

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/csvsafe"
	"github.com/frontdesk/frontdesk/internal/support"
	"github.com/frontdesk/frontdesk/internal/web"
)

// The desk's analytics (desk:manage): charts drawn on the server as SVG,
// so they show without JavaScript, each with its data as a table and as a
// CSV download.

// channelColors are the volume chart's series colours (readable on white,
// distinguishable in greyscale by order).
var channelColors = map[string]string{
	support.ChannelChat: "#2457c5", support.ChannelEmail: "#1f7a3f", support.ChannelPhone: "#b7791f",
	support.ChannelMessaging: "#7c3aed", support.ChannelPortal: "#0e7490",
}

// bar is one rectangle of a chart, with what it means.
type bar struct {
	X, Y, W, H float64
	Color      string
	Label      string
}

type chart struct {
	Width, Height float64
	Bars          []bar
	Max           int
	Labels        []axisLabel
}

type axisLabel struct {
	X, Y float64
	Text string
}

type analyticsView struct {
	R          *support.Report
	From, To   string // dates as typed
	Query      string
	Volume     chart
	Categories []categoryBar
	Ratings    chart
	Agents     []agentRow
	Channels   []string
	Colors     map[string]string
	Lang       string
}

type categoryBar struct {
	Name  string
	Count int
	Width float64 // percent of the largest
}

type agentRow struct {
	support.AgentStats
	Name string
}

// analyticsRange reads from/to (dates, to inclusive) or the last 30 days.
func analyticsRange(r *http.Request, now time.Time) (from, to time.Time, fromS, toS string) {
	q := r.URL.Query()
	to = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
	from = to.AddDate(0, 0, -30)
	if t, err := time.Parse(time.DateOnly, q.Get("from")); err == nil {
		from = t
	}
	if t, err := time.Parse(time.DateOnly, q.Get("to")); err == nil {
		to = t.AddDate(0, 0, 1)
	}
	return from, to, from.Format(time.DateOnly), to.AddDate(0, 0, -1).Format(time.DateOnly)
}

func (s *Handler) analyticsReport(r *http.Request) (*support.Report, string, string, error) {
	from, to, fs, ts := analyticsRange(r, s.Now())
	rep, err := s.deps.Support.Analytics(r.Context(), from, to, time.UTC)
	return rep, fs, ts, err
}

func (s *Handler) consoleAnalytics(w http.ResponseWriter, r *http.Request) error {
	rep, fs, ts, err := s.analyticsReport(r)
	if err != nil {
		return web.SupportError(err)
	}
	ctx := r.Context()
	v := analyticsView{R: rep, From: fs, To: ts, Query: "from=" + fs + "&to=" + ts, Channels: support.Channels, Colors: channelColors, Lang: web.Info(ctx).Lang}
	v.Volume = volumeChart(rep)
	cats, err := s.deps.Support.Categories(ctx)
	if err != nil {
		return err
	}
	names := web.CategoryNames(cats, v.Lang)
	top := 0
	for _, c := range rep.Categories {
		top = max(top, c.Count)
	}
	for i, c := range rep.Categories {
		if i == 10 {
			break
		}
		n := names[c.Category]
		if c.Category == "" {
			n = s.Pages.Translator(v.Lang)("desk.none")
		}
		v.Categories = append(v.Categories, categoryBar{Name: n, Count: c.Count, Width: 100 * float64(c.Count) / float64(max(top, 1))})
	}
	v.Ratings = ratingsChart(rep)
	agents, err := s.deps.Support.Agents(ctx)
	if err != nil {
		return err
	}
	agentNames := map[string]string{}
	for _, a := range agents {
		agentNames[a.AccountID] = a.DisplayName
	}
	for _, a := range rep.Agents {
		v.Agents = append(v.Agents, agentRow{AgentStats: a, Name: agentNames[a.AgentID]})
	}
	f := web.NewForm(r)
	f.Values["from"], f.Values["to"] = fs, ts
	return s.renderConsole(w, r, http.StatusOK, "console_analytics", f, v)
}

// volumeChart stacks each day's conversations by channel.
func volumeChart(rep *support.Report) chart {
	c := chart{Width: 720, Height: 220}
	for _, d := range rep.Days {
		c.Max = max(c.Max, d.Total)
	}
	if len(rep.Days) == 0 {
		return c
	}
	plotH, top := 180.0, 10.0
	slot := c.Width / float64(len(rep.Days))
	scale := plotH / float64(max(c.Max, 1))
	for i, d := range rep.Days {
		y := top + plotH
		for _, ch := range support.Channels {
			n := d.ByChannel[ch]
			if n == 0 {
				continue
			}
			h := float64(n) * scale
			y -= h
			c.Bars = append(c.Bars, bar{X: float64(i)*slot + slot*0.1, Y: y, W: slot * 0.8, H: h, Color: channelColors[ch],
				Label: fmt.Sprintf("%s: %d %s", d.Day.Format(time.DateOnly), n, ch)})
		}
		if len(rep.Days) <= 14 || i%(len(rep.Days)/7+1) == 0 {
			c.Labels = append(c.Labels, axisLabel{X: float64(i)*slot + slot/2, Y: 212, Text: d.Day.Format("01-02")})
		}
	}
	return c
}

// ratingsChart shows how many ratings of each value.
func ratingsChart(rep *support.Report) chart {
	c := chart{Width: 300, Height: 160}
	for _, n := range rep.Ratings {
		c.Max = max(c.Max, n)
	}
	scale := 120.0 / float64(max(c.Max, 1))
	for i, n := range rep.Ratings {
		h := float64(n) * scale
		c.Bars = append(c.Bars, bar{X: float64(i)*60 + 10, Y: 130 - h, W: 40, H: h, Color: "#0b5cad", Label: fmt.Sprintf("%d: %d", i+1, n)})
		c.Labels = append(c.Labels, axisLabel{X: float64(i)*60 + 30, Y: 150, Text: strconv.Itoa(i + 1)})
	}
	return c
}

// consoleAnalyticsCSV exports one chart's data.
func (s *Handler) consoleAnalyticsCSV(w http.ResponseWriter, r *http.Request) error {
	rep, fs, ts, err := s.analyticsReport(r)
	if err != nil {
		return web.SupportError(err)
	}
	name, ok := strings.CutSuffix(r.PathValue("chart"), ".csv")
	if !ok {
		return web.ErrNotFound
	}
	var rows [][]string
	switch name {
	case "volume":
		rows = append(rows, append([]string{"day"}, append(support.Channels, "total")...))
		for _, d := range rep.Days {
			row := []string{d.Day.Format(time.DateOnly)}
			for _, ch := range support.Channels {
				row = append(row, strconv.Itoa(d.ByChannel[ch]))
			}
			rows = append(rows, append(row, strconv.Itoa(d.Total)))
		}
	case "categories":
		rows = append(rows, []string{"category", "conversations"})
		for _, c := range rep.Categories {
			rows = append(rows, []string{c.Category, strconv.Itoa(c.Count)})
		}
	case "times":
		rows = append(rows, []string{"measure", "count", "median_seconds", "p90_seconds"})
		for _, m := range []struct {
			n string
			d support.Durations
		}{{"first_response", rep.FirstResponse}, {"resolution", rep.Resolution}} {
			rows = append(rows, []string{m.n, strconv.Itoa(m.d.Count), strconv.Itoa(int(m.d.Median.Seconds())), strconv.Itoa(int(m.d.P90.Seconds()))})
		}
		rows = append(rows, []string{"sla_breached", strconv.Itoa(rep.Breached), "", ""}, []string{"conversations", strconv.Itoa(rep.Total), "", ""})
	case "csat":
		rows = append(rows, []string{"rating", "count"})
		for i, n := range rep.Ratings {
			rows = append(rows, []string{strconv.Itoa(i + 1), strconv.Itoa(n)})
		}
	case "agents":
		rows = append(rows, []string{"agent_id", "name", "assigned", "resolved", "first_response_median_seconds", "first_response_p90_seconds", "csat", "ratings"})
		agents, err := s.deps.Support.Agents(r.Context())
		if err != nil {
			return err
		}
		names := map[string]string{}
		for _, a := range agents {
			names[a.AccountID] = a.DisplayName
		}
		for _, a := range rep.Agents {
			rows = append(rows, []string{a.AgentID, names[a.AgentID], strconv.Itoa(a.Assigned), strconv.Itoa(a.Resolved),
				strconv.Itoa(int(a.FirstResponse.Median.Seconds())), strconv.Itoa(int(a.FirstResponse.P90.Seconds())),
				strconv.FormatFloat(a.CSAT, 'f', 2, 64), strconv.Itoa(a.Ratings)})
		}
	default:
		return web.ErrNotFound
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+"-"+fs+"-"+ts+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	for _, row := range rows {
		if err := cw.Write(csvsafe.Row(row)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
