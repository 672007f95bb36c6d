package app

import (
	"context"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/web/console"
)

// consoleChecks are the health checks the console's home shows. A part
// of the program that can fail quietly (backups, say) adds its check
// here, with one entry.
func (sys *system) consoleChecks() []console.Check {
	return []console.Check{
		{Name: "check.mail", Perm: access.SettingsManage, Run: sys.mailCheck},
	}
}

// mailCheck: mail is sent through SMTP and the last message went out.
// Without an SMTP server, mail only lands in the outbox folder: fine for
// a trial, but no customer receives a code.
func (sys *system) mailCheck(context.Context) console.CheckResult {
	h := sys.mail.Health()
	switch {
	case h.Failing():
		return console.CheckResult{State: console.CheckFail, Message: "check.mail.failing"}
	case h.Outbox:
		return console.CheckResult{State: console.CheckWarn, Message: "check.mail.outbox"}
	}
	return console.CheckResult{State: console.CheckOK, Message: "check.mail.ok"}
}
