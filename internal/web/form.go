package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/frontdesk/frontdesk/internal/identity"
)

// FormError puts a client error on the form (next to its field when the
// page has that field) and returns its status; other errors are returned.
func FormError(f *Form, err error, fields ...string) (int, error) {
	var e *Error
	if !errors.As(KBError(err), &e) || e.Status >= 500 {
		return 0, err
	}
	if slices.Contains(fields, e.Field) {
		f.Errors[e.Field] = e.Message
	} else {
		f.Error = e.Message
	}
	return e.Status, nil
}

// kbDone maps ?done= to the notice it shows.
var kbDone = map[string]string{"saved": "kb.saved", "file": "kb.done.file", "file_deleted": "kb.done.file_deleted", "category": "kb.done.category"}

func DoneNotice(r *http.Request, f *Form) {
	if n, ok := kbDone[r.URL.Query().Get("done")]; ok && f.Notice == "" {
		f.Notice = n
	}
}

// Form is what every account page template gets.
type Form struct {
	Values map[string]string // what the visitor typed (never passwords)
	Errors map[string]string // field → message, shown next to the field
	Error  string            // message for the whole form
	Notice string            // a confirmation, e.g. "we sent you a code"
	Next   string            // where to go after signing in
	Token  string            // a link's secret, carried through a confirm form
	Valid  bool              // the link is still usable
	Extra  any
	// PasswordRules are the password policy's rules, all of them, shown
	// beside a new-password field before the first attempt (Kit.Render
	// fills them when the policy has composition rules, such as pci).
	PasswordRules []string
	// PasswordProblems are the rules a refused new password broke, each
	// in the page's language, when it broke more than one: the page lists
	// them all under the field's error rather than one per attempt.
	PasswordProblems []string
}

func NewForm(r *http.Request, fields ...string) *Form {
	f := &Form{Values: map[string]string{}, Errors: map[string]string{}}
	for _, k := range fields {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	return f
}

// fail puts an identity (or data-protection) error on the form, translated, next to its field
// when it has one, and returns the status to answer with.
func (s *Kit) Fail(r *http.Request, f *Form, err error) (int, error) {
	t := s.Pages.Translator(Info(r.Context()).Lang)
	mapped := PrivacyError(err)
	var e *Error
	if !errors.As(mapped, &e) || e.Status >= 500 && e.Status != http.StatusServiceUnavailable {
		return 0, err
	}
	msg := t("err." + e.Code)
	if msg == "err."+e.Code {
		msg = e.Message
	}
	var fe *identity.FieldError
	if errors.As(err, &fe) {
		msg = fieldMessage(t, *fe, msg)
		if len(fe.Details) > 1 {
			msg = t("err.password_rules")
			f.PasswordProblems = nil
			for _, d := range fe.Details {
				f.PasswordProblems = append(f.PasswordProblems, fieldMessage(t, d, d.Message))
			}
		}
	}
	if e.Field != "" {
		f.Errors[e.Field] = msg
	} else {
		f.Error = msg
	}
	return e.Status, nil
}

// fieldMessage is a field error's sentence in the page's language:
// fallback unless the code has words of its own with a limit in them.
func fieldMessage(t func(string, ...any) string, fe identity.FieldError, fallback string) string {
	switch fe.Code {
	case "too_short":
		return t("err.too_short", fe.Min)
	case "too_long":
		return t("err.too_long", fe.Max)
	}
	if m := t("err." + fe.Code); m != "err."+fe.Code {
		return m
	}
	return fallback
}

func (s *Kit) Render(w http.ResponseWriter, r *http.Request, status int, page string, f *Form) error {
	w.Header().Set("Cache-Control", "no-store")
	if f != nil && f.PasswordRules == nil {
		f.PasswordRules = s.passwordRules(Info(r.Context()).Lang)
	}
	return s.Pages.Render(w, r, status, page, s.OrgName, f)
}

// passwordRules lists the rules of a policy with composition rules, in
// lang; nil for a policy of length alone, whose hint says it all.
func (s *Kit) passwordRules(lang string) []string {
	p := s.PasswordPolicy
	if p == nil || !(p.RequireUpper || p.RequireLower || p.RequireDigit || p.RequireSpecial) {
		return nil
	}
	t := s.Pages.Translator(lang)
	rules := []string{t("password.rule.min", p.MinLength)}
	for _, r := range []struct {
		on  bool
		key string
	}{{p.RequireUpper, "password.rule.upper"}, {p.RequireLower, "password.rule.lower"}, {p.RequireDigit, "password.rule.digit"}, {p.RequireSpecial, "password.rule.special"}} {
		if r.on {
			rules = append(rules, t(r.key))
		}
	}
	return rules
}
