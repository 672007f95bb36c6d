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
}

func NewForm(r *http.Request, fields ...string) *Form {
	f := &Form{Values: map[string]string{}, Errors: map[string]string{}}
	for _, k := range fields {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	return f
}

// fail puts an identity error on the form, translated, next to its field
// when it has one, and returns the status to answer with.
func (s *Kit) Fail(r *http.Request, f *Form, err error) (int, error) {
	t := s.Pages.Translator(Info(r.Context()).Lang)
	mapped := IdentityError(err)
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
		switch fe.Code {
		case "too_short":
			msg = t("err.too_short", fe.Min)
		case "too_long":
			msg = t("err.too_long", fe.Max)
		}
	}
	if e.Field != "" {
		f.Errors[e.Field] = msg
	} else {
		f.Error = msg
	}
	return e.Status, nil
}

func (s *Kit) Render(w http.ResponseWriter, r *http.Request, status int, page string, f *Form) error {
	w.Header().Set("Cache-Control", "no-store")
	return s.Pages.Render(w, r, status, page, s.OrgName, f)
}
