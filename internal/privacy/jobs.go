package privacy

import (
	"context"
	"errors"
	"net/mail"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/notify"
)

// The periodic work of the requests queue and the incident register runs
// on one node at a time, the holder of the "deadlines" lease (taken when
// free or lapsed, renewed at every run), on the database's clock.

// PrivacyManage is the permission whose holders get the reminders (the
// same string as access.PrivacyManage).
const PrivacyManage = "privacy:manage"

const jobLease = 5 * time.Minute

// TakeLease gives holder the lease of job when it is free, lapsed or
// already theirs, for ttl; it reports whether holder has it.
func (s *Service) TakeLease(ctx context.Context, job, holder string, ttl time.Duration) (bool, error) {
	var got bool
	err := s.o.DB.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `INSERT INTO privacy_leases (job, holder, until) VALUES (?, ?, ?)
			ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, until = excluded.until
			WHERE privacy_leases.until < ? OR privacy_leases.holder = excluded.holder`,
			job, holder, tx.Now().Add(ttl), tx.Now())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		got = n == 1
		return err
	})
	return got, err
}

// Tick runs the periodic work if this node (holder) has the lease: the
// deadline reminders of requests and incidents, and the next batch of
// incident notices. It reports whether it ran.
func (s *Service) Tick(ctx context.Context, holder string) (bool, error) {
	got, err := s.TakeLease(ctx, "deadlines", holder, jobLease)
	if err != nil || !got {
		return false, err
	}
	_, err1 := s.Remind(ctx)
	_, err2 := s.SendNotices(ctx)
	return true, errors.Join(err1, err2)
}

// requestStage is how far an open request is towards its deadline:
// 1 a week before, 2 two days before, 3 overdue.
func requestStage(now, due time.Time) int {
	switch {
	case !now.Before(due):
		return 3
	case !now.Before(due.Add(-48 * time.Hour)):
		return 2
	case !now.Before(due.Add(-7 * 24 * time.Hour)):
		return 1
	}
	return 0
}

// incidentStage is the same for the 72-hour clock: 1 with 24 hours
// left, 2 with 6 hours left, 3 overdue.
func incidentStage(now, deadline time.Time) int {
	switch {
	case !now.Before(deadline):
		return 3
	case !now.Before(deadline.Add(-6 * time.Hour)):
		return 2
	case !now.Before(deadline.Add(-24 * time.Hour)):
		return 1
	}
	return 0
}

// Remind mails the privacy staff (the holders of privacy:manage) once per
// stage each request and incident reaches, and returns how many reminders
// were due. The stage is recorded, with an audit entry, in the transaction
// that finds it due; the mail follows.
func (s *Service) Remind(ctx context.Context) (int, error) {
	type due struct {
		target, what, url string
		at                time.Time
		left              time.Duration
		incident          bool
		title, kind       string
	}
	var list []due
	var staff []*identity.Account
	err := s.o.DB.Write(ctx, func(tx *db.Tx) error {
		now := tx.Now()
		rows, err := tx.Query(ctx, `SELECT `+requestColumns+` FROM privacy_requests WHERE status = 'open' AND due_at <= ? AND reminded < 3`,
			now.Add(7*24*time.Hour))
		reqs, err := db.Collect(rows, err, func(r db.Scanner) (Request, error) { return s.scanRequest(ctx, tx, r, false) })
		if err != nil {
			return err
		}
		for _, r := range reqs {
			st := requestStage(now, r.DueAt)
			if st <= r.RemindedStage {
				continue
			}
			if _, err := tx.Exec(ctx, `UPDATE privacy_requests SET reminded = ? WHERE id = ?`, st, r.ID); err != nil {
				return err
			}
			if err := s.o.Audit.Record(ctx, tx, audit.Event{Action: "privacy.request.remind", Target: requestTarget(r.ID),
				Details: map[string]any{"stage": st, "due_at": r.DueAt}}); err != nil {
				return err
			}
			list = append(list, due{target: r.ID, url: "/console/privacy/requests/" + r.ID, at: r.DueAt, left: r.DueAt.Sub(now),
				kind: r.Kind, what: r.Regime})
		}
		rows, err = tx.Query(ctx, `SELECT `+incidentColumns+` FROM privacy_incidents WHERE authority_at IS NULL AND risk <> 'none'
			AND aware_at <= ? AND reminded < 3`, now.Add(-AuthorityWindow+24*time.Hour))
		incs, err := db.Collect(rows, err, func(r db.Scanner) (Incident, error) { return scanIncident(tx, r) })
		if err != nil {
			return err
		}
		for _, i := range incs {
			st := incidentStage(now, i.Deadline())
			if st <= i.Reminded {
				continue
			}
			if _, err := tx.Exec(ctx, `UPDATE privacy_incidents SET reminded = ? WHERE id = ?`, st, i.ID); err != nil {
				return err
			}
			if err := s.o.Audit.Record(ctx, tx, audit.Event{Action: "privacy.incident.remind", Target: incidentTarget(i.ID),
				Details: map[string]any{"stage": st, "deadline": i.Deadline()}}); err != nil {
				return err
			}
			list = append(list, due{target: i.ID, url: "/console/privacy/incidents/" + i.ID, at: i.Deadline(),
				left: i.Deadline().Sub(now), incident: true, title: i.Title})
		}
		if len(list) == 0 || s.o.Staff == nil {
			return nil
		}
		ids, err := s.o.Staff.HolderIDs(ctx, tx, PrivacyManage)
		if err != nil {
			return err
		}
		for _, id := range ids {
			a, err := s.o.Accounts.AccountIn(ctx, tx, id)
			if err != nil {
				return err
			}
			staff = append(staff, a)
		}
		return nil
	})
	if err != nil || s.o.Mail == nil {
		return len(list), err
	}
	for _, d := range list {
		for _, a := range staff {
			l := a.Locale
			state := text(l, "remind.over")
			if d.left > 0 {
				state = text(l, "remind.soon", left(d.left))
			}
			body := text(l, "remind.incident", d.title, stamp(d.at), state)
			subj := d.title
			if !d.incident {
				body = text(l, "remind.request", text(l, "kind."+d.kind), d.what, stamp(d.at), state)
				subj = text(l, "kind."+d.kind)
			}
			msg := notify.Message{To: mail.Address{Address: a.Email}, Template: "notice", Locale: lang(l), Data: map[string]any{
				"Title": text(l, "remind.title", subj), "Body": body, "Name": a.Name,
				"ActionURL": s.o.BaseURL + d.url, "ActionText": text(l, "remind.action")}}
			if _, err := s.o.Mail.Send(ctx, msg); err != nil {
				s.log.Warn("privacy deadline reminder not mailed", "error", err.Error())
			}
		}
	}
	return len(list), nil
}

// SendNotices mails the next incident notices to customers, no more than
// NoticeRate in any minute of the database's clock, each in the language
// recorded when it was queued, and records each delivery. It returns how
// many were sent.
func (s *Service) SendNotices(ctx context.Context) (int, error) {
	if s.o.Mail == nil {
		return 0, nil
	}
	type job struct {
		incident, account, locale, title, body string
		email, name                            string
		attempts                               int
	}
	var jobs []job
	err := s.o.DB.Read(ctx, func(tx *db.Tx) error {
		var recent int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM privacy_incident_notices WHERE sent_at > ?`, tx.Now().Add(-time.Minute)).
			Scan(&recent); err != nil {
			return err
		}
		budget := s.o.NoticeRate - recent
		if budget <= 0 {
			return nil
		}
		rows, err := tx.Query(ctx, `SELECT n.incident_id, n.account_id, n.locale, n.attempts, i.notice_en, i.notice_vi, i.notice_zh
			FROM privacy_incident_notices n JOIN privacy_incidents i ON i.id = n.incident_id
			WHERE n.status = 'pending' ORDER BY n.queued_at, n.account_id LIMIT ?`, budget)
		jobs, err = db.Collect(rows, err, func(r db.Scanner) (j job, err error) {
			var en, vi, zh string
			err = r.Scan(&j.incident, &j.account, &j.locale, &j.attempts, &en, &vi, &zh)
			j.body = map[string]string{"en": en, "vi": vi, "zh": zh}[j.locale]
			return j, err
		})
		if err != nil {
			return err
		}
		for k := range jobs {
			a, err := s.o.Accounts.AccountIn(ctx, tx, jobs[k].account)
			if errors.Is(err, identity.ErrNotFound) {
				continue // erased since: marked failed below
			}
			if err != nil {
				return err
			}
			jobs[k].email, jobs[k].name = a.Email, a.Name
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, j := range jobs {
		status, errText := NoticeSent, ""
		if j.email == "" {
			status, errText = NoticeFailed, "the customer's account no longer exists"
		} else {
			msg := notify.Message{To: mail.Address{Address: j.email}, Template: "notice", Locale: j.locale, Data: map[string]any{
				"Title": text(j.locale, "incident.title"), "Body": j.body, "Name": j.name}}
			if _, err := s.o.Mail.Send(ctx, msg); err != nil {
				s.log.Warn("incident notice not mailed", "incident", j.incident, "error", err.Error())
				status, errText = NoticePending, "the mail server refused or could not be reached"
				if j.attempts+1 >= maxAttempts {
					status = NoticeFailed
				}
			}
		}
		err := s.o.DB.Write(ctx, func(tx *db.Tx) error {
			var sentAt any
			if status == NoticeSent {
				sentAt = tx.Now()
			}
			_, err := tx.Exec(ctx, `UPDATE privacy_incident_notices SET status = ?, attempts = attempts + 1, sent_at = ?, error = ?
				WHERE incident_id = ? AND account_id = ?`, status, sentAt, errText, j.incident, j.account)
			if err != nil || status == NoticePending {
				return err
			}
			return s.o.Audit.Record(ctx, tx, audit.Event{Action: "privacy.incident.notice." + status, Target: incidentTarget(j.incident),
				Subject: subject(j.account), Details: map[string]any{"account": j.account, "locale": j.locale}})
		})
		if err != nil {
			return sent, err
		}
		if status == NoticeSent {
			sent++
		}
	}
	return sent, nil
}
