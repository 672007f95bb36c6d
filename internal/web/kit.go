package web

import (
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/frontdesk/frontdesk/internal/password"
)

// Kit is what every area's handlers share: the logger, the page renderer,
// the cookie names, the business's name and the clock. Each area embeds it
// beside the Deps struct of the services it uses.
type Kit struct {
	Log     *slog.Logger
	Pages   *Pages
	Cookies Cookies
	// OrgName is the business's name shown on pages.
	OrgName string
	// BaseURL is the public URL of the portal.
	BaseURL *url.URL
	// Clock is the time source; nil means time.Now. The database's clock is
	// passed here so that tests that move it move the pages too.
	Clock func() time.Time
	// PasswordPolicy is the customers' password policy, whose rules pages
	// with a new-password field list; nil lists none.
	PasswordPolicy *password.Profile
}

// Now returns the current time of the Kit's clock.
func (s *Kit) Now() time.Time {
	if s.Clock != nil {
		return s.Clock()
	}
	return time.Now()
}

// NotFound answers 404, as a page or as JSON by the route's tree.
func NotFound(http.ResponseWriter, *http.Request) error { return ErrNotFound }
