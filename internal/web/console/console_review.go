package console

import (
	"encoding/csv"
	"errors"
	"net/http"
	"time"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/csvsafe"
	"github.com/frontdesk/frontdesk/internal/mfa"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Access reviews and support-assisted recovery in the console.

// reviewDeadline is how long reviewers have to decide.
const reviewDeadline = 14 * 24 * time.Hour

// reviewView is a campaign with e-mails beside the account ids.
type reviewView struct {
	Reviews []access.Review
	Review  *access.Review
	Emails  map[string]string
	Self    string
}

func (s *Handler) emails(r *http.Request, items []access.ReviewItem) map[string]string {
	out := map[string]string{}
	for _, it := range items {
		if _, ok := out[it.AccountID]; ok {
			continue
		}
		if a, err := s.deps.Identity.AccountByID(r.Context(), it.AccountID); err == nil {
			out[it.AccountID] = a.Email
		}
	}
	return out
}

func (s *Handler) consoleReviews(w http.ResponseWriter, r *http.Request) error {
	list, err := s.deps.Access.Reviews(r.Context())
	if err != nil {
		return err
	}
	return s.renderConsole(w, r, http.StatusOK, "console_reviews", nil, reviewView{Reviews: list})
}

func (s *Handler) consoleStartReview(w http.ResponseWriter, r *http.Request) error {
	id, err := s.deps.Access.StartReview(r.Context(), web.Principal(r.Context()).AccountID, reviewDeadline)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/console/reviews/"+id, http.StatusSeeOther)
	return nil
}

func (s *Handler) consoleReview(w http.ResponseWriter, r *http.Request) error {
	return s.renderReview(w, r, http.StatusOK, web.NewForm(r))
}

func (s *Handler) renderReview(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	rv, err := s.deps.Access.GetReview(r.Context(), r.PathValue("id"))
	if errors.Is(err, access.ErrNoSuchItem) {
		return web.ErrNotFound
	}
	if err != nil {
		return err
	}
	return s.renderConsole(w, r, status, "console_review", f, reviewView{Review: rv, Emails: s.emails(r, rv.Items), Self: web.Principal(r.Context()).AccountID})
}

func (s *Handler) consoleDecide(w http.ResponseWriter, r *http.Request) error {
	ctx, id := r.Context(), r.PathValue("id")
	err := s.deps.Access.Decide(ctx, web.Principal(ctx).AccountID, id, r.PostFormValue("account"), r.PostFormValue("role"),
		r.PostFormValue("decision"), r.PostFormValue("reason"))
	if err != nil {
		f := web.NewForm(r)
		t := s.Pages.Translator(web.Info(ctx).Lang)
		status := http.StatusBadRequest
		switch {
		case errors.Is(err, access.ErrSelfGrant):
			f.Error, status = t("console.err.self"), http.StatusForbidden
		case errors.Is(err, access.ErrReason):
			f.Error = t("console.review.reason")
		case errors.Is(err, access.ErrReviewClosed):
			f.Error, status = t("console.review.closed"), http.StatusConflict
		case errors.Is(err, access.ErrNoSuchItem), errors.Is(err, access.ErrDecision):
			return web.ErrNotFound
		default:
			return err
		}
		return s.renderReview(w, r, status, f)
	}
	http.Redirect(w, r, "/console/reviews/"+id, http.StatusSeeOther)
	return nil
}

// consoleReviewCSV exports a campaign; cells are escaped against formula
// injection (a spreadsheet must never run a cell).
func (s *Handler) consoleReviewCSV(w http.ResponseWriter, r *http.Request) error {
	rv, err := s.deps.Access.GetReview(r.Context(), r.PathValue("id"))
	if errors.Is(err, access.ErrNoSuchItem) {
		return web.ErrNotFound
	}
	if err != nil {
		return err
	}
	emails := s.emails(r, rv.Items)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="access-review-`+rv.ID+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	cw.Write([]string{"review", "started_at", "deadline", "account_id", "email", "role", "decision", "reviewer", "reason", "decided_at"})
	for _, it := range rv.Items {
		decided := ""
		if it.DecidedAt != nil {
			decided = it.DecidedAt.Format(time.RFC3339)
		}
		row := []string{rv.ID, rv.StartedAt.Format(time.RFC3339), rv.Deadline.Format(time.RFC3339), it.AccountID, emails[it.AccountID],
			it.Role, it.Decision, it.Reviewer, it.Reason, decided}
		for i := range row {
			row[i] = csvsafe.Cell(row[i])
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// Recovery requests.

type recoveryView struct {
	Requests  []mfa.RecoveryRequest
	Request   *mfa.RecoveryRequest
	Checklist []string
	Self      string
}

func (s *Handler) consoleRecoveries(w http.ResponseWriter, r *http.Request) error {
	list, err := s.deps.MFA.RecoveryRequests(r.Context(), "")
	if err != nil {
		return err
	}
	return s.renderConsole(w, r, http.StatusOK, "console_recoveries", nil, recoveryView{Requests: list})
}

func (s *Handler) consoleRecovery(w http.ResponseWriter, r *http.Request) error {
	return s.renderRecovery(w, r, http.StatusOK, web.NewForm(r))
}

func (s *Handler) renderRecovery(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	req, err := s.deps.MFA.RecoveryRequest(r.Context(), r.PathValue("id"))
	if err != nil {
		return web.IdentityError(err)
	}
	return s.renderConsole(w, r, status, "console_recovery", f, recoveryView{Request: req, Checklist: mfa.Checklist, Self: web.Principal(r.Context()).AccountID})
}

func (s *Handler) recoveryStep(do func(*Handler, *http.Request, string, string) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		if err := do(s, r, web.Principal(r.Context()).AccountID, id); err != nil {
			f := web.NewForm(r)
			status, ferr := s.Fail(r, f, err)
			if ferr != nil {
				return ferr
			}
			return s.renderRecovery(w, r, status, f)
		}
		http.Redirect(w, r, "/console/recovery/"+id, http.StatusSeeOther)
		return nil
	}
}

var (
	recoveryCheck = func(s *Handler, r *http.Request, staff, id string) error {
		return s.deps.MFA.RecordCheck(r.Context(), staff, id, r.PostFormValue("item"), r.PostFormValue("method"), r.PostFormValue("note"))
	}
	recoveryApprove = func(s *Handler, r *http.Request, staff, id string) error {
		_, err := s.deps.MFA.ApproveRecovery(r.Context(), staff, id)
		return err
	}
	recoveryReject = func(s *Handler, r *http.Request, staff, id string) error {
		return s.deps.MFA.RejectRecovery(r.Context(), staff, id, r.PostFormValue("reason"))
	}
)
