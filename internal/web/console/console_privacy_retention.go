package console

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/privacy"
	"github.com/frontdesk/frontdesk/internal/web"
)

// The record of processing (GDPR 30) and the retention policies (GDPR
// 5(1)(e)) in the console, under privacy:manage. Both read the registry
// through the privacy service, as the commands "frontdesk privacy record"
// and "frontdesk privacy retention" do: the record's downloads are the
// command's own output, the dry run and the purge the command's own runs.

type recordView struct {
	Settings   [][2]string
	Activities []privacy.Activity
}

// consolePrivacyRecord shows the record of processing as a page.
func (s *Handler) consolePrivacyRecord(w http.ResponseWriter, r *http.Request) error {
	return s.renderConsole(w, r, http.StatusOK, "console_privacy_record", web.NewForm(r),
		recordView{Settings: s.deps.Privacy.RecordSettings(), Activities: s.deps.Privacy.Record()})
}

// consolePrivacyRecordFile downloads the record as Markdown or CSV (cells
// escaped against formula injection), the command's output byte for byte.
func (s *Handler) consolePrivacyRecordFile(format string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		var b strings.Builder
		if err := s.deps.Privacy.WriteRecord(&b, format); err != nil {
			return err
		}
		ctype := "text/markdown; charset=utf-8"
		if format == "csv" {
			ctype = "text/csv; charset=utf-8"
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Disposition", `attachment; filename="record-of-processing.`+format+`"`)
		w.Header().Set("Cache-Control", "no-store")
		_, err := w.Write([]byte(b.String()))
		return err
	}
}

type retentionView struct {
	Policies []privacy.PolicyInEffect
	Holds    int
	WarnDays int
	Running  *runRow
	Runs     []runRow
	Shown    string // the run just started, highlighted
}

// runRow is a run with the names a person reads.
type runRow struct {
	privacy.RetentionRun
	By      string
	Took    string
	Classes []classRow
}

type classRow struct {
	privacy.ClassReport
	Title  string
	Tables string
}

// retentionRuns is how many recent runs the page lists.
const retentionRuns = 20

func (s *Handler) consoleRetention(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r)
	if d := r.URL.Query().Get("done"); slices.Contains([]string{"dry_run", "started"}, d) {
		f.Notice = "retention.done." + d
	}
	return s.renderRetention(w, r, http.StatusOK, f)
}

func (s *Handler) renderRetention(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	ctx := r.Context()
	p := s.deps.Privacy
	v := retentionView{Policies: p.RetentionPolicies(), WarnDays: p.InactiveWarnDays(), Shown: r.URL.Query().Get("run")}
	var err error
	if v.Holds, err = p.ActiveHolds(ctx); err != nil {
		return err
	}
	titles := map[string]string{}
	for _, pol := range v.Policies {
		titles[pol.Class] = pol.Title
	}
	names := map[string]string{}
	row := func(run privacy.RetentionRun) runRow {
		out := runRow{RetentionRun: run, By: s.runBy(r, run.StartedBy, names)}
		if run.FinishedAt != nil {
			out.Took = run.FinishedAt.Sub(run.StartedAt).Round(time.Millisecond).String()
		}
		for _, c := range run.Classes {
			cr := classRow{ClassReport: c, Title: titles[c.Class]}
			if cr.Title == "" {
				cr.Title = c.Class
			}
			tables := make([]string, 0, len(c.Rows))
			for t := range c.Rows {
				tables = append(tables, t)
			}
			sort.Strings(tables)
			parts := make([]string, 0, len(tables))
			for _, t := range tables {
				parts = append(parts, fmt.Sprintf("%s %d", t, c.Rows[t]))
			}
			cr.Tables = strings.Join(parts, ", ")
			out.Classes = append(out.Classes, cr)
		}
		return out
	}
	running, err := p.RunningRetention(ctx)
	if err != nil {
		return err
	}
	if running != nil {
		rr := row(*running)
		v.Running = &rr
	}
	runs, err := p.RetentionRuns(ctx, retentionRuns)
	if err != nil {
		return err
	}
	for _, run := range runs {
		v.Runs = append(v.Runs, row(run))
	}
	return s.renderConsole(w, r, status, "console_privacy_retention", f, v)
}

// runBy names who started a run: the schedule, the command line, or a
// staff member by name.
func (s *Handler) runBy(r *http.Request, by string, names map[string]string) string {
	switch by {
	case "schedule", "cli":
		return s.t(r)("retention.by." + by)
	case "":
		return s.t(r)("retention.by.unknown")
	}
	if _, ok := names[by]; !ok {
		names[by] = s.staffName(r, by)
	}
	return names[by]
}

// consoleRetentionDryRun counts what the policies would purge now and
// shows the report; nothing changes but the run's own record (audited).
func (s *Handler) consoleRetentionDryRun(w http.ResponseWriter, r *http.Request) error {
	run, err := s.deps.Privacy.RunRetention(r.Context(), true, web.Principal(r.Context()).AccountID)
	if run == nil && err != nil {
		return err
	}
	// A class that failed to count is in the run's report; the page shows it.
	http.Redirect(w, r, "/console/privacy/retention?done=dry_run&run="+run.ID+"#run-"+run.ID, http.StatusSeeOther)
	return nil
}

// consoleRetentionPurge starts a purge now, under the same lease as the
// daily run: refused with a clear message while another run holds it. The
// person ticks that they understand the expired data goes for good.
func (s *Handler) consoleRetentionPurge(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r, "confirm")
	t := s.t(r)
	if f.Values["confirm"] != "yes" {
		f.Error = t("retention.err.confirm")
		return s.renderRetention(w, r, http.StatusBadRequest, f)
	}
	run, err := s.deps.Privacy.StartRetention(r.Context(), web.Principal(r.Context()).AccountID)
	if errors.Is(err, privacy.ErrRetentionRunning) {
		f.Error = t("retention.err.running")
		if cur, _ := s.deps.Privacy.RunningRetention(r.Context()); cur != nil && !cur.StartedAt.IsZero() {
			f.Error = t("retention.err.running_since", s.runBy(r, cur.StartedBy, map[string]string{}),
				cur.StartedAt.UTC().Format(stampFormat)+" UTC", cur.Node)
		}
		return s.renderRetention(w, r, http.StatusConflict, f)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/console/privacy/retention?done=started&run="+run.ID+"#run-"+run.ID, http.StatusSeeOther)
	return nil
}
