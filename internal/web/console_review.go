package web

import (
	"encoding/csv"
	"errors"
	"net/http"
	"time"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/csvsafe"
	"github.com/frontdesk/frontdesk/internal/mfa"
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

func (s *Server) emails(r *http.Request, items []access.ReviewItem) map[string]string {
	out := map[string]string{}
	for _, it := range items {
		if _, ok := out[it.AccountID]; ok {
			continue
		}
		if a, err := s.opts.Identity.AccountByID(r.Context(), it.AccountID); err == nil {
			out[it.AccountID] = a.Email
		}
	}
	return out
}

func (s *Server) consoleReviews(w http.ResponseWriter, r *http.Request) error {
	list, err := s.opts.Access.Reviews(r.Context())
	if err != nil {
		return err
	}
	return s.renderConsole(w, r, http.StatusOK, "console_reviews", nil, reviewView{Reviews: list})
}

func (s *Server) consoleStartReview(w http.ResponseWriter, r *http.Request) error {
	id, err := s.opts.Access.StartReview(r.Context(), Principal(r.Context()).AccountID, reviewDeadline)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/console/reviews/"+id, http.StatusSeeOther)
	return nil
}

func (s *Server) consoleReview(w http.ResponseWriter, r *http.Request) error {
	return s.renderReview(w, r, http.StatusOK, NewForm(r))
}

func (s *Server) renderReview(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	rv, err := s.opts.Access.GetReview(r.Context(), r.PathValue("id"))
	if errors.Is(err, access.ErrNoSuchItem) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	return s.renderConsole(w, r, status, "console_review", f, reviewView{Review: rv, Emails: s.emails(r, rv.Items), Self: Principal(r.Context()).AccountID})
}

func (s *Server) consoleDecide(w http.ResponseWriter, r *http.Request) error {
	ctx, id := r.Context(), r.PathValue("id")
	err := s.opts.Access.Decide(ctx, Principal(ctx).AccountID, id, r.PostFormValue("account"), r.PostFormValue("role"),
		r.PostFormValue("decision"), r.PostFormValue("reason"))
	if err != nil {
		f := NewForm(r)
		t := s.Pages.Translator(Info(ctx).Lang)
		status := http.StatusBadRequest
		switch {
		case errors.Is(err, access.ErrSelfGrant):
			f.Error, status = t("console.err.self"), http.StatusForbidden
		case errors.Is(err, access.ErrReason):
			f.Error = t("console.review.reason")
		case errors.Is(err, access.ErrReviewClosed):
			f.Error, status = t("console.review.closed"), http.StatusConflict
		case errors.Is(err, access.ErrNoSuchItem), errors.Is(err, access.ErrDecision):
			return ErrNotFound
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
func (s *Server) consoleReviewCSV(w http.ResponseWriter, r *http.Request) error {
	rv, err := s.opts.Access.GetReview(r.Context(), r.PathValue("id"))
	if errors.Is(err, access.ErrNoSuchItem) {
		return ErrNotFound
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

func (s *Server) consoleRecoveries(w http.ResponseWriter, r *http.Request) error {
	list, err := s.opts.MFA.RecoveryRequests(r.Context(), "")
	if err != nil {
		return err
	}
	return s.renderConsole(w, r, http.StatusOK, "console_recoveries", nil, recoveryView{Requests: list})
}

func (s *Server) consoleRecovery(w http.ResponseWriter, r *http.Request) error {
	return s.renderRecovery(w, r, http.StatusOK, NewForm(r))
}

func (s *Server) renderRecovery(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	req, err := s.opts.MFA.RecoveryRequest(r.Context(), r.PathValue("id"))
	if err != nil {
		return IdentityError(err)
	}
	return s.renderConsole(w, r, status, "console_recovery", f, recoveryView{Request: req, Checklist: mfa.Checklist, Self: Principal(r.Context()).AccountID})
}

func (s *Server) recoveryStep(do func(*Server, *http.Request, string, string) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		if err := do(s, r, Principal(r.Context()).AccountID, id); err != nil {
			f := NewForm(r)
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
	recoveryCheck = func(s *Server, r *http.Request, staff, id string) error {
		return s.opts.MFA.RecordCheck(r.Context(), staff, id, r.PostFormValue("item"), r.PostFormValue("method"), r.PostFormValue("note"))
	}
	recoveryApprove = func(s *Server, r *http.Request, staff, id string) error {
		_, err := s.opts.MFA.ApproveRecovery(r.Context(), staff, id)
		return err
	}
	recoveryReject = func(s *Server, r *http.Request, staff, id string) error {
		return s.opts.MFA.RejectRecovery(r.Context(), staff, id, r.PostFormValue("reason"))
	}
)
