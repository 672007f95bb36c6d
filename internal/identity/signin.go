package identity

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/password"
)

// Clients a session can belong to.
const (
	ClientBrowser = "browser"
	ClientAPI     = "api"
)

// SignIn is one sign-in attempt.
type SignIn struct {
	Email, Password string
	IP, UserAgent   string
	// DeviceID is the browser's long-lived device cookie; API clients have
	// none and are recognised by their user agent.
	DeviceID string
	Client   string // ClientBrowser or ClientAPI
	// RememberToken is the browser's "remember this device" cookie, which
	// lets a right password skip the second factor until it expires.
	RememberToken string

	reserved bool // reserveSource already counted this attempt as a failure
}

// SignInResult is a successful sign-in, or a password accepted and a
// second factor awaited (Challenge set, no session yet).
type SignInResult struct {
	Token     string // the session token, shown once
	Session   *Session
	Account   *Account
	Challenge *Challenge
	// Remember is set when the owner chose "remember this device": the
	// browser keeps it as a cookie until it expires.
	Remember *Remembered

	blocked bool // the risk engine refused the sign-in
}

// SignIn checks an e-mail and password and opens a session. Unknown
// e-mail, wrong password, locked and disabled accounts all give
// ErrInvalidCredentials after the same work: one password verification
// and one write (ASVS 6.3.8). A source past its failure limits gets a
// *RateLimitedError before any password is checked; the accounts it
// tried are not locked by that (ASVS 6.1.1). The source's limits are
// checked and the attempt counted in one step before the hash, so parallel
// guesses cannot outrun them (reserveSource).
func (s *Service) SignIn(ctx context.Context, in SignIn) (*SignInResult, error) {
	ipKey, _ := sourceKeys("signin", in.IP)
	if !s.gate.enter(ipKey) {
		limited := &RateLimitedError{RetryAfter: inFlightWait, Reason: "source_concurrency"}
		err := s.db.Write(ctx, func(tx *db.Tx) error {
			return s.audit.Record(ctx, tx, audit.Event{Action: "signin.throttled", Outcome: audit.Denied,
				Details: map[string]any{"retry_after_s": 1, "reason": limited.Reason}})
		})
		if err != nil {
			return nil, err
		}
		return nil, limited
	}
	defer s.gate.leave(ipKey)
	if err := s.reserveSource(ctx, in.IP); err != nil {
		return nil, err
	}
	in.reserved = true
	// The reserved failure stands only for a password that was checked
	// and found wrong; otherwise it is given back.
	guessed, released := false, false
	defer func() {
		if !guessed && !released {
			if err := s.releaseSource(ctx, in.IP); err != nil {
				s.log.WarnContext(ctx, "sign-in reservation not released", "error", err)
			}
		}
	}()

	email, emailErr := NormalizeEmail(in.Email)
	pw := password.Normalize(in.Password)
	var a *accountRow
	var err error
	if emailErr == nil {
		err = s.db.Read(ctx, func(tx *db.Tx) (err error) {
			a, err = s.byEmail(ctx, tx, email, false)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	var ok, rehash bool
	if a != nil {
		ok, rehash, err = s.hasher.Verify(ctx, pw, a.passwordHash)
	} else {
		err = s.hasher.Dummy(ctx)
	}
	if err != nil {
		return nil, s.hashBusy(err)
	}
	guessed = !ok
	var newHash string
	if ok && rehash {
		// Parameters changed or the hash was imported (bcrypt, PBKDF2):
		// upgrade it now that the password is known to be right.
		if newHash, err = s.hasher.Hash(ctx, pw); err != nil {
			return nil, s.hashBusy(err)
		}
	}

	var res *SignInResult
	var outcome error
	var mails []outgoing
	target := s.keys.BlindIndex("signin-target", emailKey(email)) // what a stuffing source tried
	decide := func(tx *db.Tx) error {
		var id string
		if a != nil {
			id = a.id
		}
		cur, err := s.byID(ctx, tx, id, true)
		if err != nil {
			return err
		}
		reason := ""
		switch {
		case cur == nil:
			reason = "unknown_account"
		case cur.passwordHash != a.passwordHash:
			reason = "password_changed_meanwhile"
		case cur.lockedUntil.Valid && tx.Now().Before(cur.lockedUntil.Time):
			reason = "locked"
		case cur.status == StatusDisabled:
			reason = "disabled"
		case !ok:
			reason = "wrong_password"
		}
		if reason != "" {
			outcome = ErrInvalidCredentials
			return s.failSignIn(ctx, tx, cur, reason, in, target, &mails)
		}
		switch {
		case cur.status == StatusPending:
			outcome = ErrEmailNotVerified
			acct, err := s.open(ctx, tx, cur)
			if err != nil {
				return err
			}
			if m, ok, err := s.reissueVerify(ctx, tx, cur, acct); err != nil {
				return err
			} else if ok {
				mails = append(mails, m)
			}
			return s.audit.Record(ctx, tx, audit.Event{Action: "signin.failure", Target: "account:" + cur.id, Subject: subject(cur.id),
				Outcome: audit.Failure, Details: map[string]any{"reason": "email_not_verified"}})
		case cur.mustChange:
			outcome = ErrResetRequired
			if ok, err := s.mailAllowed(ctx, tx, mailReset, email); err != nil {
				return err
			} else if ok {
				m, err := s.issueReset(ctx, tx, cur)
				if err != nil {
					return err
				}
				mails = append(mails, m)
			}
			return s.audit.Record(ctx, tx, audit.Event{Action: "signin.failure", Target: "account:" + cur.id, Subject: subject(cur.id),
				Outcome: audit.Failure, Details: map[string]any{"reason": "reset_required"}})
		}
		if newHash != "" {
			if _, err := tx.Exec(ctx, "UPDATE accounts SET password_hash = ?, updated_at = ? WHERE id = ?", newHash, tx.Now(), cur.id); err != nil {
				return err
			}
			if err := s.audit.Record(ctx, tx, audit.Event{Action: "password.rehash", Target: "account:" + cur.id, Subject: subject(cur.id)}); err != nil {
				return err
			}
		}
		res, err = s.passwordAccepted(ctx, tx, cur, in, &mails)
		if err == nil && res.blocked {
			res, outcome = nil, ErrSignInBlocked
		}
		return err
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		res, outcome, mails = nil, nil, nil
		if err := decide(tx); err != nil || !ok {
			return err
		}
		// A right password gives its reservation back in this transaction
		// rather than in one more of its own.
		return s.releaseSourceTx(ctx, tx, in.IP)
	})
	if err != nil {
		return nil, err
	}
	released = ok
	s.send(ctx, mails)
	if outcome != nil {
		return nil, outcome
	}
	return res, nil
}

// failSignIn records a failed attempt: the source's counters, the
// account's consecutive failures (locking it at the threshold and
// e-mailing the owner an unlock link), the owner's history and the audit
// trail.
func (s *Service) failSignIn(ctx context.Context, tx *db.Tx, a *accountRow, reason string, in SignIn, target []byte, mails *[]outgoing) error {
	decisions, err := s.sourceFailure(ctx, tx, in.IP, target, in.reserved)
	if err != nil {
		return err
	}
	ev := audit.Event{Action: "signin.failure", Outcome: audit.Failure, Details: map[string]any{"reason": reason}}
	if len(decisions) > 0 {
		ev.Details["throttle"] = decisions
	}
	if a == nil {
		return s.audit.Record(ctx, tx, ev)
	}
	ev.Target, ev.Subject = "account:"+a.id, subject(a.id)
	if reason == "wrong_password" {
		failed := a.failed + 1
		if failed >= s.policy.LockoutThreshold {
			until := tx.Now().Add(s.policy.LockoutDuration)
			if _, err := tx.Exec(ctx, "UPDATE accounts SET failed_logins = 0, locked_until = ?, updated_at = ? WHERE id = ?", until, tx.Now(), a.id); err != nil {
				return err
			}
			acct, err := s.open(ctx, tx, a)
			if err != nil {
				return err
			}
			// Past the recipient's quota the earlier unlock link stays the
			// valid one and no e-mail goes out (ASVS 2.4.1).
			if ok, err := s.mailAllowed(ctx, tx, mailUnlock, acct.Email); err != nil {
				return err
			} else if ok {
				link, err := s.issueToken(ctx, tx, a.id, purposeUnlock, s.policy.UnlockTTL, false)
				if err != nil {
					return err
				}
				*mails = append(*mails, outgoing{to: acct.Email, name: acct.Name, locale: acct.Locale, kind: "locked",
					args: mailArgs{URL: s.base + "/unlock?token=" + link.link, Minutes: int(s.policy.LockoutDuration / time.Minute)}})
			}
			if err := s.audit.Record(ctx, tx, audit.Event{Action: "account.lock", Target: ev.Target, Subject: ev.Subject,
				Details: map[string]any{"failures": failed, "until": until.Format(time.RFC3339)}}); err != nil {
				return err
			}
		} else if _, err := tx.Exec(ctx, "UPDATE accounts SET failed_logins = ?, updated_at = ? WHERE id = ?", failed, tx.Now(), a.id); err != nil {
			return err
		}
	}
	if err := s.loginEvent(ctx, tx, a.id, "failure", in); err != nil {
		return err
	}
	return s.audit.Record(ctx, tx, ev)
}

// succeedSignIn resets the failure count, opens a session, notes the
// device and tells the owner about a device never seen before.
func (s *Service) succeedSignIn(ctx context.Context, tx *db.Tx, a *accountRow, in SignIn, g grant, mails *[]outgoing) (*SignInResult, error) {
	if _, err := tx.Exec(ctx, "UPDATE accounts SET failed_logins = 0, locked_until = NULL, last_active_at = ?, risk_recheck = '' WHERE id = ?", tx.Now(), a.id); err != nil {
		return nil, err
	}
	token, sess, err := s.createSession(ctx, tx, a, in, g)
	if err != nil {
		return nil, err
	}
	acct, err := s.open(ctx, tx, a)
	if err != nil {
		return nil, err
	}
	isNew, err := s.noteDevice(ctx, tx, a.id, in)
	if err != nil {
		return nil, err
	}
	if s.risk != nil {
		// A staff sign-in from a new country is an alert for the security
		// queue, raised before the place joins the history.
		if a.kind == KindStaff && g.risk != nil && slices.Contains(g.risk.Signals, "new_country") {
			if err := s.risk.RaiseAlert(ctx, tx, a.id, StageStaffSignIn, in.IP, g.risk); err != nil {
				return nil, err
			}
		}
		place, err := s.risk.Remember(ctx, tx, a.id, in.IP)
		if err != nil {
			return nil, err
		}
		if g.risk != nil && g.risk.Place == "" {
			// A completed step-up: the challenge kept the verdict, not
			// the place (personal data).
			copied := *g.risk
			copied.Place = place
			g.risk = &copied
		}
	}
	// A sign-in from a new place ("new sign-in from Hanoi, Viettel — was
	// this you?") says where; one from a new device says which device.
	newPlace := g.risk != nil && g.risk.Place != "" && (g.risk.Decision == RiskNotify || slices.Contains(g.risk.Signals, "new_country"))
	if isNew || newPlace {
		link, err := s.issueToken(ctx, tx, a.id, purposeNotMe, s.policy.NotMeTTL, false)
		if err != nil {
			return nil, err
		}
		kind, device := "new_signin", DeviceName(in.UserAgent)
		if newPlace {
			kind, device = "new_place", placeOr(g.risk, in)
		}
		*mails = append(*mails, outgoing{to: acct.Email, name: acct.Name, locale: acct.Locale, kind: kind,
			args: mailArgs{URL: s.base + "/not-me?token=" + link.link, Device: device, When: tx.Now().Format("2006-01-02 15:04 UTC")}})
	}
	if err := s.loginEventRisk(ctx, tx, a.id, "success", in, g.risk); err != nil {
		return nil, err
	}
	details := map[string]any{"session": sess.ID, "client": in.Client, "new_device": isNew, "methods": g.amr, "aal": g.aal, "must_enrol": g.mustEnrol}
	if g.risk != nil {
		details["risk"] = riskDetails(g.risk)
	}
	err = s.audit.Record(ctx, tx, audit.Event{Action: "signin.success", Target: "account:" + a.id, Subject: subject(a.id), Details: details})
	return &SignInResult{Token: token, Session: sess, Account: acct}, err
}

// noteDevice records the device and reports whether the account had
// signed in before but never from it.
func (s *Service) noteDevice(ctx context.Context, tx *db.Tx, accountID string, in SignIn) (bool, error) {
	key := s.keys.BlindIndex("device", deviceID(in))
	var seen sql.NullTime
	err := tx.QueryRow(ctx, "SELECT last_seen FROM known_devices WHERE account_id = ? AND device_key = ?", accountID, key).Scan(&seen)
	if err != nil && err != sql.ErrNoRows {
		return false, err
	}
	if seen.Valid {
		_, err := tx.Exec(ctx, "UPDATE known_devices SET last_seen = ? WHERE account_id = ? AND device_key = ?", tx.Now(), accountID, key)
		return false, err
	}
	var known int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM known_devices WHERE account_id = ?", accountID).Scan(&known); err != nil {
		return false, err
	}
	_, err = tx.Exec(ctx, "INSERT INTO known_devices (account_id, device_key, first_seen, last_seen) VALUES (?, ?, ?, ?)", accountID, key, tx.Now(), tx.Now())
	return known > 0, err
}

// LoginEvent is one line of an account's sign-in history. Place,
// Decision, Rule and Signals say where it came from and what the risk
// engine made of it (empty without the engine).
type LoginEvent struct {
	Time      time.Time `json:"time"`
	IP        string    `json:"ip"`
	UserAgent string    `json:"user_agent"`
	Device    string    `json:"device"`
	Result    string    `json:"result"`
	Place     string    `json:"place,omitempty"`
	Decision  string    `json:"decision,omitempty"`
	Rule      string    `json:"rule,omitempty"`
	Signals   []string  `json:"signals,omitempty"`
}

func (s *Service) loginEvent(ctx context.Context, tx *db.Tx, accountID, result string, in SignIn) error {
	return s.loginEventRisk(ctx, tx, accountID, result, in, nil)
}

// loginEventRisk records an attempt with the risk engine's verdict. The
// address, browser and place are personal data, sealed with the owner's
// key; the decision and the names of the signals are not.
func (s *Service) loginEventRisk(ctx context.Context, tx *db.Tx, accountID, result string, in SignIn, v *RiskVerdict) error {
	ua := in.UserAgent
	if len(ua) > 512 {
		ua = ua[:512]
	}
	var decision, rule, signals, place string
	if v != nil {
		decision, rule, signals, place = v.Decision, v.Rule, strings.Join(v.Signals, ","), v.Place
	}
	ua = strings.ReplaceAll(ua, "\n", " ")
	sealed, err := s.sealFor(ctx, tx, accountID, "login_events", []byte(in.IP+"\n"+ua+"\n"+place))
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, "INSERT INTO login_events (id, account_id, at, result, device, sealed, decision, rule, signals) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		newID(), accountID, tx.Now(), result, DeviceName(in.UserAgent), sealed, decision, rule, signals)
	return err
}

// LoginHistory returns the account's latest sign-in attempts, newest
// first.
func (s *Service) LoginHistory(ctx context.Context, accountID string, limit int) ([]LoginEvent, error) {
	var out []LoginEvent
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		out = nil
		type raw struct {
			ev     LoginEvent
			sealed []byte
		}
		rows, err := tx.Query(ctx, "SELECT at, result, device, sealed, decision, rule, signals FROM login_events WHERE account_id = ? ORDER BY at DESC, id LIMIT ?", accountID, limit)
		rs, err := db.Collect(rows, err, func(row db.Scanner) (r raw, err error) {
			var signals string
			err = row.Scan(&r.ev.Time, &r.ev.Result, &r.ev.Device, &r.sealed, &r.ev.Decision, &r.ev.Rule, &signals)
			if signals != "" {
				r.ev.Signals = strings.Split(signals, ",")
			}
			return r, err
		})
		if err != nil {
			return err
		}
		for _, r := range rs {
			pt, err := s.openFor(ctx, tx, accountID, "login_events", r.sealed)
			if err == nil {
				ip, rest, _ := cutLine(string(pt))
				ua, place, _ := cutLine(rest)
				r.ev.IP, r.ev.UserAgent, r.ev.Place = ip, ua, place
			}
			r.ev.Time = r.ev.Time.UTC()
			out = append(out, r.ev)
		}
		return nil
	})
	return out, err
}

func cutLine(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
