package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/frontdesk/frontdesk/internal/identity"
)

// announceSetup prints the first-run setup link to the terminal when no
// staff account exists yet (identity/setup.go). The link is the
// credential: it goes to standard output only, once, and the log says that
// a link was printed and until when, never the link itself.
func announceSetup(ctx context.Context, id *identity.Service, baseURL string, out io.Writer, log *slog.Logger) error {
	token, expires, err := id.IssueSetupLink(ctx)
	if errors.Is(err, identity.ErrSetupDone) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("first-run setup link: %w", err)
	}
	fmt.Fprintf(out, "\nNo staff account yet. Open this link within 24 hours to create the first administrator:\n\n    %s/setup/%s\n\n"+
		"It works once. Restarting the server prints a new one (the old one stops working); `frontdesk admin create` works too.\n\n",
		baseURL, token)
	log.Info("first-run setup link printed to the terminal", "expires_at", expires.Format(time.RFC3339))
	return nil
}
