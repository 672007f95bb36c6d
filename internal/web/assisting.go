package web

import (
	"html/template"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// SessionIDPattern is the shape of an assist session id.
var SessionIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// CustomerOf returns the signed-in customer, or ErrNotFound for staff
// (the portal's assist routes are the customer's own).
func CustomerOf(r *http.Request) (string, error) {
	p := Principal(r.Context())
	if p == nil || p.Kind != identity.KindCustomer {
		return "", ErrNotFound
	}
	return p.AccountID, nil
}

// StaffActor is the signed-in staff member as the service sees them.
func StaffActor(r *http.Request) assist.Actor {
	p := Principal(r.Context())
	return assist.Actor{AccountID: p.AccountID, Staff: p.Kind == identity.KindStaff && !p.Session.MustEnrol}
}

// AssistReplayView is the data of a replay page.
type AssistReplayView struct {
	Session   *assist.Session
	Recording string // where the page's script fetches the events
	Back      string
	Console   bool
}

// WriteRecording answers with the rrweb events of a recording, and the
// agent actions and control messages beside them for the timeline.
func WriteRecording(w http.ResponseWriter, rec *assist.Recording) {
	type line struct {
		At    time.Time `json:"t"`
		Kind  string    `json:"k"`
		Party string    `json:"p"`
		Data  any       `json:"d"`
	}
	events, other := []any{}, []line{}
	for _, e := range rec.Entries {
		if e.Kind == assist.EntryEvent {
			events = append(events, e.Data)
			continue
		}
		other = append(other, line{e.At, e.Kind, e.Party, e.Data})
	}
	w.Header().Set("Cache-Control", "no-store")
	WriteJSON(w, http.StatusOK, map[string]any{"session": rec.Session, "source": rec.Source, "events": events, "entries": other})
}

// CardPhotoURL lets a card's inline picture through html/template, which
// would otherwise replace a data: URL in src with "#ZgotmplZ": only the
// picture types assist.Profile accepts, with nothing but base64 after the
// prefix. Any other value is left to the template's usual URL filtering.
func CardPhotoURL(photo string) any {
	for _, prefix := range []string{"data:image/png;base64,", "data:image/jpeg;base64,", "data:image/webp;base64,"} {
		if rest, ok := strings.CutPrefix(photo, prefix); ok {
			if strings.Trim(rest, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != "" {
				return photo
			}
			return template.URL(photo)
		}
	}
	return photo
}
