package console

import (
	"context"
	"net/http"
	"slices"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/web"
)

// The console's home answers "what needs me now": counts that link to
// the lists behind them, the health checks, and, until the desk is set
// up, a first-run checklist. Each part is shown only to those who may
// open what it links to.

// States of a check.
const (
	CheckOK   = "ok"
	CheckWarn = "warn"
	CheckFail = "fail"
)

// Check is one health check on the console's home. The program's wiring
// lists them (internal/app); a part of the program adds its own with one
// entry there (docs/architecture.md, "Console shell").
type Check struct {
	Name string // translation key of what is checked: "check.mail"
	Perm string // who sees it; "" for every staff member
	Run  func(ctx context.Context) CheckResult
}

// CheckResult is what a check found.
type CheckResult struct {
	State   string // CheckOK, CheckWarn or CheckFail
	Message string // translation key of what was found
	Link    string // where to act on it, or ""
}

// tile is one count on the home page.
type tile struct {
	Label, Href, ID string
	Value           int
	Alert           bool // a count that should be zero
}

// checkRow is a check as the home page shows it.
type checkRow struct {
	Name string
	CheckResult
}

// step is one item of the first-run checklist.
type step struct {
	Label, Href, ID string
	Done            bool
}

// homeView is the home page's data.
type homeView struct {
	Tiles     []tile
	Checks    []checkRow
	Failing   int // checks not ok
	Checklist []step
	SetUp     bool   // every step done
	BaseURL   string // for the widget's snippet
}

func (s *Handler) consoleHome(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	perms, err := s.deps.Access.PermissionsOf(ctx, web.Principal(ctx).AccountID)
	if err != nil {
		return err
	}
	can := func(p string) bool { return p == "" || slices.Contains(perms, p) }
	v := homeView{}
	if s.BaseURL != nil {
		v.BaseURL = s.BaseURL.String()
	}
	if s.deps.Support != nil && can(access.ConversationsRead) {
		c, err := s.deps.Support.Counts(ctx, web.Principal(ctx).AccountID)
		if err != nil {
			return err
		}
		v.Tiles = append(v.Tiles,
			tile{Label: "console.home.open", Href: "/console/inbox?view=active", ID: "tile-open", Value: c.Active},
			tile{Label: "console.home.unassigned", Href: "/console/inbox?view=unassigned", ID: "tile-unassigned", Value: c.Unassigned, Alert: true},
			tile{Label: "console.home.breached", Href: "/console/inbox?view=breached", ID: "tile-breached", Value: c.Breached, Alert: true})
	}
	if can(access.RecoveryApprove) {
		reqs, err := s.deps.MFA.RecoveryRequests(ctx, "open")
		if err != nil {
			return err
		}
		v.Tiles = append(v.Tiles, tile{Label: "console.home.recoveries", Href: "/console/recovery", ID: "tile-recoveries", Value: len(reqs), Alert: true})
	}
	if can(access.AccessReview) {
		rs, err := s.deps.Access.Reviews(ctx)
		if err != nil {
			return err
		}
		n := 0
		for _, rv := range rs {
			if rv.Status == "open" {
				n++
			}
		}
		v.Tiles = append(v.Tiles, tile{Label: "console.home.reviews", Href: "/console/reviews", ID: "tile-reviews", Value: n, Alert: true})
	}
	for _, c := range s.deps.Checks {
		if !can(c.Perm) {
			continue
		}
		res := c.Run(ctx)
		if res.State != CheckOK {
			v.Failing++
		}
		v.Checks = append(v.Checks, checkRow{Name: c.Name, CheckResult: res})
	}
	if len(v.Checks) > 0 {
		v.Tiles = append(v.Tiles, tile{Label: "console.home.failing", Href: "#checks", ID: "tile-failing", Value: v.Failing, Alert: true})
	}
	if can(access.StaffManage) || can(access.SettingsManage) {
		if v.Checklist, err = s.checklist(ctx, v.Checks); err != nil {
			return err
		}
		v.SetUp = true
		for _, st := range v.Checklist {
			v.SetUp = v.SetUp && st.Done
		}
	}
	return s.renderConsole(w, r, http.StatusOK, "console_home", nil, v)
}

// checklist is the first-run checklist: what a new desk needs before
// its first customer writes in.
func (s *Handler) checklist(ctx context.Context, checks []checkRow) ([]step, error) {
	var out []step
	mailOK := true
	for _, c := range checks {
		if c.Name == "check.mail" {
			mailOK = c.State == CheckOK
		}
	}
	out = append(out, step{Label: "console.setup.mail", Href: "#checks", ID: "setup-mail", Done: mailOK})
	agents, err := s.deps.Access.Holders(ctx, access.ConversationsWrite)
	if err != nil {
		return nil, err
	}
	out = append(out, step{Label: "console.setup.agent", Href: "/console/staff", ID: "setup-agent", Done: agents > 0})
	if s.deps.Support != nil {
		hours := false
		if s.auditReady() {
			recs, err := audit.Query(ctx, s.deps.DB, s.deps.Keys, audit.Filter{Action: "support.hours_change", Limit: 1})
			if err != nil {
				return nil, err
			}
			hours = len(recs) > 0
		}
		out = append(out, step{Label: "console.setup.hours", Href: "/console/desk#hours", ID: "setup-hours", Done: hours})
	}
	if s.deps.KB != nil {
		page, err := s.deps.KB.ListArticles(ctx, "en", "published", 0, 1)
		if err != nil {
			return nil, err
		}
		out = append(out, step{Label: "console.setup.article", Href: "/console/kb", ID: "setup-article", Done: len(page.Rows) > 0})
	}
	if s.deps.Support != nil {
		c, err := s.deps.Support.Usage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out,
			step{Label: "console.setup.widget", Href: "/help", ID: "setup-widget", Done: c.Chats > 0},
			step{Label: "console.setup.answer", Href: "/console/inbox", ID: "setup-answer", Done: c.Answered > 0})
	}
	return out, nil
}
