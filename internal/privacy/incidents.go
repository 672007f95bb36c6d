package privacy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/fault"
	"github.com/frontdesk/frontdesk/internal/identity"
	pd "github.com/frontdesk/frontdesk/internal/personaldata"
)

// The incident register (GDPR 33, 34): every personal-data breach with
// what is known of it, a 72-hour clock from the moment the business became
// aware, the notice to the supervisory authority drafted from the record,
// and, when the risk to people is high, notices to the affected customers
// in their language, mailed at a bounded rate and tracked one by one.

// Risk levels of an incident.
const (
	RiskNone = "none" // unlikely to result in a risk: recorded, not notified (art. 33(1))
	RiskSome = "risk" // the authority is notified within 72 hours
	RiskHigh = "high" // the affected people are told too (art. 34)
)

// Risks lists the levels in the order forms show them.
var Risks = []string{RiskNone, RiskSome, RiskHigh}

// Languages of the customer notices.
var Languages = []string{"en", "vi", "zh"}

// AuthorityWindow is GDPR 33(1)'s "not later than 72 hours after having
// become aware of it".
const AuthorityWindow = 72 * time.Hour

// Delivery statuses of a customer notice.
const (
	NoticePending = "pending"
	NoticeSent    = "sent"
	NoticeFailed  = "failed"
)

// maxAttempts is how often a notice is tried before it counts as failed.
const maxAttempts = 5

// ErrIncidentNotFound is an incident that does not exist.
var ErrIncidentNotFound = fault.New(fault.ErrNotFound, "privacy: no such incident")

// IncidentCategories are the categories of personal data an incident may
// concern: the registry's.
var IncidentCategories = []string{string(pd.Contact), string(pd.Identity), string(pd.Content), string(pd.Recording),
	string(pd.Device), string(pd.Payment), string(pd.SecurityLog), string(pd.Credential)}

// IncidentInput is what staff write about an incident.
type IncidentInput struct {
	Title, Description string
	AwareAt            time.Time
	OccurredAt         time.Time // zero when unknown
	Categories         []string
	People, Records    int
	Consequences       string
	Measures           string
	Risk               string
	// Notices are the texts mailed to affected customers, by language.
	Notices map[string]string
}

// Incident is one entry of the register.
type Incident struct {
	IncidentInput
	ID           string
	AuthorityAt  *time.Time
	AuthorityRef string
	Reminded     int
	CreatedBy    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Now          time.Time
	// Deliveries counts the customer notices by status.
	Deliveries map[string]int
}

// Deadline is when the supervisory authority must have been told.
func (i *Incident) Deadline() time.Time { return i.AwareAt.Add(AuthorityWindow) }

// Notifiable reports whether the authority must be told (risk not ruled out).
func (i *Incident) Notifiable() bool { return i.Risk != RiskNone }

// Pending reports a notifiable incident the authority was not yet told of.
func (i *Incident) Pending() bool { return i.Notifiable() && i.AuthorityAt == nil }

// Left is the time left on the 72-hour clock (negative when overdue).
func (i *Incident) Left() time.Duration { return i.Deadline().Sub(i.Now) }

// Overdue reports a pending notice past the 72 hours.
func (i *Incident) Overdue() bool { return i.Pending() && !i.Now.Before(i.Deadline()) }

// HoursLeft is Left in whole hours, rounded towards zero.
func (i *Incident) HoursLeft() int { return int(i.Left() / time.Hour) }

func (s *Service) checkIncident(in *IncidentInput, now time.Time) error {
	in.Title, in.Description = strings.TrimSpace(in.Title), strings.TrimSpace(in.Description)
	for _, c := range []struct {
		field, v string
		max      int
	}{{"title", in.Title, 200}, {"description", in.Description, maxText}, {"consequences", in.Consequences, maxText},
		{"measures", in.Measures, maxText}} {
		if err := checkText(c.field, c.v, true, c.max); err != nil {
			return err
		}
	}
	if in.AwareAt.IsZero() {
		return invalid("aware", "required")
	}
	if in.AwareAt.After(now.Add(5 * time.Minute)) {
		return invalid("aware", "cannot be in the future")
	}
	if !in.OccurredAt.IsZero() && in.OccurredAt.After(in.AwareAt) {
		return invalid("occurred", "before the business became aware")
	}
	if len(in.Categories) == 0 {
		return invalid("categories", "choose at least one")
	}
	for _, c := range in.Categories {
		if !slices.Contains(IncidentCategories, c) {
			return invalid("categories", "unknown category")
		}
	}
	if in.People < 0 || in.People > 1_000_000_000 || in.Records < 0 || in.Records > 1_000_000_000_000 {
		return invalid("numbers", "between 0 and a billion")
	}
	if !slices.Contains(Risks, in.Risk) {
		return invalid("risk", "none, risk or high")
	}
	for l, t := range in.Notices {
		if !slices.Contains(Languages, l) {
			return invalid("notice", "unknown language")
		}
		if err := checkText("notice", t, false, maxText); err != nil {
			return err
		}
	}
	return nil
}

// CreateIncident records an incident.
func (s *Service) CreateIncident(ctx context.Context, in IncidentInput, by string) (*Incident, error) {
	var out *Incident
	err := s.o.DB.Write(ctx, func(tx *db.Tx) error {
		if err := s.checkIncident(&in, tx.Now()); err != nil {
			return err
		}
		if in.Notices == nil {
			in.Notices = map[string]string{}
		}
		for _, l := range Languages {
			if strings.TrimSpace(in.Notices[l]) == "" {
				in.Notices[l] = DraftNotice(l, in)
			}
		}
		id := newID()
		if _, err := tx.Exec(ctx, `INSERT INTO privacy_incidents (id, title, description, aware_at, occurred_at, categories, people,
			records, consequences, measures, risk, notice_en, notice_vi, notice_zh, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, in.Title, in.Description, in.AwareAt.UTC(),
			nullTime(in.OccurredAt), strings.Join(in.Categories, ","), in.People, in.Records, in.Consequences, in.Measures, in.Risk,
			in.Notices["en"], in.Notices["vi"], in.Notices["zh"], by, tx.Now(), tx.Now()); err != nil {
			return err
		}
		if err := s.o.Audit.Record(ctx, tx, audit.Event{Action: "privacy.incident.create", Target: incidentTarget(id),
			Details: incidentDetails(in)}); err != nil {
			return err
		}
		var err error
		out, err = s.incidentIn(ctx, tx, id)
		return err
	})
	return out, err
}

// UpdateIncident rewrites what is known of an incident; the audit entry
// keeps the fields before and after.
func (s *Service) UpdateIncident(ctx context.Context, id string, in IncidentInput) error {
	return s.o.DB.Write(ctx, func(tx *db.Tx) error {
		cur, err := s.incidentIn(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.checkIncident(&in, tx.Now()); err != nil {
			return err
		}
		if in.Notices == nil {
			in.Notices = cur.Notices
		}
		if _, err := tx.Exec(ctx, `UPDATE privacy_incidents SET title = ?, description = ?, aware_at = ?, occurred_at = ?, categories = ?,
			people = ?, records = ?, consequences = ?, measures = ?, risk = ?, notice_en = ?, notice_vi = ?, notice_zh = ?, updated_at = ?
			WHERE id = ?`, in.Title, in.Description, in.AwareAt.UTC(), nullTime(in.OccurredAt), strings.Join(in.Categories, ","),
			in.People, in.Records, in.Consequences, in.Measures, in.Risk, in.Notices["en"], in.Notices["vi"], in.Notices["zh"],
			tx.Now(), id); err != nil {
			return err
		}
		return s.o.Audit.Record(ctx, tx, audit.Event{Action: "privacy.incident.update", Target: incidentTarget(id),
			Details: map[string]any{"before": incidentDetails(cur.IncidentInput), "after": incidentDetails(in)}})
	})
}

// RecordAuthorityNotice records that the supervisory authority was
// notified, with its reference when it gave one; it stops the 72-hour
// reminders.
func (s *Service) RecordAuthorityNotice(ctx context.Context, id, ref string) error {
	if err := checkText("reference", ref, false, 200); err != nil {
		return err
	}
	return s.o.DB.Write(ctx, func(tx *db.Tx) error {
		cur, err := s.incidentIn(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.AuthorityAt != nil {
			return invalid("authority", "the authority's notice is recorded already")
		}
		if _, err := tx.Exec(ctx, `UPDATE privacy_incidents SET authority_at = ?, authority_ref = ?, updated_at = ? WHERE id = ?`,
			tx.Now(), ref, tx.Now(), id); err != nil {
			return err
		}
		return s.o.Audit.Record(ctx, tx, audit.Event{Action: "privacy.incident.authority", Target: incidentTarget(id),
			Details: map[string]any{"reference": ref, "late": !tx.Now().Before(cur.Deadline()), "hours": tx.Now().Sub(cur.AwareAt).Hours()}})
	})
}

// QueueNotices puts notices to the customers with these e-mail addresses
// in the queue, each in the customer's language. The incident's risk must
// be high and it must have a notice text in every language needed; an
// address that is not a customer's refuses the whole list (nothing is
// queued). A customer already queued is not queued twice.
func (s *Service) QueueNotices(ctx context.Context, id string, emails []string) (int, error) {
	var list []string
	for _, e := range emails {
		if e = strings.TrimSpace(e); e != "" && !slices.Contains(list, strings.ToLower(e)) {
			list = append(list, strings.ToLower(e))
		}
	}
	if len(list) == 0 {
		return 0, invalid("recipients", "required")
	}
	if len(list) > 100_000 {
		return 0, invalid("recipients", "at most 100,000 at a time")
	}
	queued := 0
	err := s.o.DB.Write(ctx, func(tx *db.Tx) error {
		inc, err := s.incidentIn(ctx, tx, id)
		if err != nil {
			return err
		}
		if inc.Risk != RiskHigh {
			return invalid("risk", "customers are notified when the risk is high")
		}
		var unknown int
		type rcpt struct{ id, lang string }
		var rcpts []rcpt
		for _, e := range list {
			if _, err := identity.NormalizeEmail(e); err != nil {
				unknown++
				continue
			}
			a, err := s.o.Accounts.FindByEmail(ctx, tx, e)
			if errors.Is(err, identity.ErrNotFound) || (err == nil && (a == nil || a.Kind != "customer")) {
				unknown++
				continue
			}
			if err != nil {
				return err
			}
			l := lang(a.Locale)
			if strings.TrimSpace(inc.Notices[l]) == "" {
				return invalid("notice", "write the notice in every language of the customers")
			}
			rcpts = append(rcpts, rcpt{a.ID, l})
		}
		if unknown > 0 {
			return &fault.Invalid{Field: "recipients", Reason: fmt.Sprintf("%d addresses are not customers'", unknown)}
		}
		for _, r := range rcpts {
			res, err := tx.Exec(ctx, `INSERT INTO privacy_incident_notices (incident_id, account_id, status, locale, queued_at)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT (incident_id, account_id) DO NOTHING`, id, r.id, NoticePending, r.lang, tx.Now())
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			queued += int(n)
		}
		return s.o.Audit.Record(ctx, tx, audit.Event{Action: "privacy.incident.notify", Target: incidentTarget(id),
			Details: map[string]any{"queued": queued, "asked": len(list)}})
	})
	return queued, err
}

// Delivery is one customer notice as the incident page lists it.
type Delivery struct {
	AccountID string
	Locale    string
	Status    string
	Attempts  int
	QueuedAt  time.Time
	SentAt    *time.Time
	Error     string
}

// Deliveries lists an incident's customer notices, newest first.
func (s *Service) Deliveries(ctx context.Context, id string, limit int) ([]Delivery, error) {
	var out []Delivery
	err := s.o.DB.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT account_id, locale, status, attempts, queued_at, sent_at, error FROM privacy_incident_notices
			WHERE incident_id = ? ORDER BY queued_at DESC, account_id LIMIT `+fmt.Sprint(max(1, min(limit, 1000))), id)
		out, err = db.Collect(rows, err, func(r db.Scanner) (d Delivery, err error) {
			var sent sql.NullTime
			err = r.Scan(&d.AccountID, &d.Locale, &d.Status, &d.Attempts, &d.QueuedAt, &sent, &d.Error)
			d.QueuedAt = d.QueuedAt.UTC()
			if sent.Valid {
				t := sent.Time.UTC()
				d.SentAt = &t
			}
			return d, err
		})
		return err
	})
	return out, err
}

func incidentTarget(id string) string { return "privacy_incident:" + id }

func incidentDetails(in IncidentInput) map[string]any {
	return map[string]any{"title": in.Title, "aware_at": in.AwareAt.UTC(), "categories": in.Categories, "people": in.People,
		"records": in.Records, "risk": in.Risk, "description": in.Description, "consequences": in.Consequences, "measures": in.Measures}
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

const incidentColumns = `id, title, description, aware_at, occurred_at, categories, people, records, consequences, measures, risk,
	authority_at, authority_ref, notice_en, notice_vi, notice_zh, reminded, created_by, created_at, updated_at`

func scanIncident(tx *db.Tx, row db.Scanner) (Incident, error) {
	var i Incident
	var occurred, authority sql.NullTime
	var cats string
	var en, vi, zh string
	err := row.Scan(&i.ID, &i.Title, &i.Description, &i.AwareAt, &occurred, &cats, &i.People, &i.Records, &i.Consequences,
		&i.Measures, &i.Risk, &authority, &i.AuthorityRef, &en, &vi, &zh, &i.Reminded, &i.CreatedBy, &i.CreatedAt, &i.UpdatedAt)
	i.AwareAt, i.CreatedAt, i.UpdatedAt, i.Now = i.AwareAt.UTC(), i.CreatedAt.UTC(), i.UpdatedAt.UTC(), tx.Now()
	if occurred.Valid {
		i.OccurredAt = occurred.Time.UTC()
	}
	if authority.Valid {
		t := authority.Time.UTC()
		i.AuthorityAt = &t
	}
	if cats != "" {
		i.Categories = strings.Split(cats, ",")
	}
	i.Notices = map[string]string{"en": en, "vi": vi, "zh": zh}
	return i, err
}

func (s *Service) incidentIn(ctx context.Context, tx *db.Tx, id string) (*Incident, error) {
	i, err := scanIncident(tx, tx.QueryRow(ctx, `SELECT `+incidentColumns+` FROM privacy_incidents WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrIncidentNotFound
	}
	if err != nil {
		return nil, err
	}
	i.Deliveries = map[string]int{}
	rows, err := tx.Query(ctx, `SELECT status, COUNT(*) FROM privacy_incident_notices WHERE incident_id = ? GROUP BY status`, id)
	counts, err := db.Collect(rows, err, func(r db.Scanner) (c struct {
		s string
		n int
	}, err error) {
		err = r.Scan(&c.s, &c.n)
		return c, err
	})
	for _, c := range counts {
		i.Deliveries[c.s] = c.n
	}
	return &i, err
}

// GetIncident returns one incident.
func (s *Service) GetIncident(ctx context.Context, id string) (*Incident, error) {
	var out *Incident
	err := s.o.DB.Read(ctx, func(tx *db.Tx) (err error) {
		out, err = s.incidentIn(ctx, tx, id)
		return err
	})
	return out, err
}

// Incidents lists the register, newest awareness first.
func (s *Service) Incidents(ctx context.Context) ([]Incident, error) {
	var out []Incident
	err := s.o.DB.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+incidentColumns+` FROM privacy_incidents ORDER BY aware_at DESC LIMIT 500`)
		out, err = db.Collect(rows, err, func(r db.Scanner) (Incident, error) { return scanIncident(tx, r) })
		return err
	})
	return out, err
}

var draftTexts = map[string]string{
	"en": "We are writing to tell you about a security incident that may affect your personal data.\n\nWhat happened: %s\n\nWhat we have done: %s\n\nWhat you can do: be careful with e-mails or calls that ask for your password or codes, and change your password if you used it elsewhere.\n\nIf you have questions, reply to this e-mail or contact our support.",
	"vi": "Chúng tôi viết thư này để thông báo về một sự cố bảo mật có thể ảnh hưởng đến dữ liệu cá nhân của bạn.\n\nĐiều gì đã xảy ra: %s\n\nChúng tôi đã làm gì: %s\n\nBạn có thể làm gì: cẩn thận với e-mail hoặc cuộc gọi yêu cầu mật khẩu hay mã của bạn, và đổi mật khẩu nếu bạn dùng nó ở nơi khác.\n\nNếu có câu hỏi, hãy trả lời e-mail này hoặc liên hệ bộ phận hỗ trợ.",
	"zh": "我们写信告知您一起可能影响您个人数据的安全事件。\n\n发生了什么：%s\n\n我们采取的措施：%s\n\n您可以做什么：警惕索要密码或验证码的邮件或电话；如果您在其他地方使用了相同的密码，请更改密码。\n\n如有疑问，请回复此邮件或联系我们的客服。",
}

// DraftNotice is a first text of the customer notice in language l, from
// the register's description and measures (as staff wrote them), for the
// officer to edit.
func DraftNotice(l string, in IncidentInput) string {
	t, ok := draftTexts[l]
	if !ok {
		t = draftTexts["en"]
	}
	return fmt.Sprintf(t, in.Description, in.Measures)
}

// AuthorityNotice drafts the notice to the supervisory authority with the
// configured organisation and contact point.
func (s *Service) AuthorityNotice(i *Incident) string {
	return AuthorityNotice(i, s.o.Org, s.o.Contact)
}

// AuthorityNotice drafts the notice to the supervisory authority (GDPR
// 33(3)) from the register, in Markdown, for the officer to copy into the
// authority's form.
func AuthorityNotice(i *Incident, org, contact string) string {
	var b strings.Builder
	line := func(f string, a ...any) { fmt.Fprintf(&b, f+"\n", a...) }
	line("# Notification of a personal data breach")
	line("")
	line("**Controller:** %s  ", org)
	if contact != "" {
		line("**Contact point:** %s  ", contact)
	}
	line("**Our reference:** %s  ", i.ID)
	line("**Became aware:** %s  ", stamp(i.AwareAt))
	if !i.OccurredAt.IsZero() {
		line("**Occurred:** %s  ", stamp(i.OccurredAt))
	}
	line("**Notified:** %s (%s after becoming aware)", stamp(i.Now), i.Now.Sub(i.AwareAt).Round(time.Hour))
	line("")
	line("## %s", i.Title)
	line("")
	line("### Nature of the breach (art. 33(3)(a))")
	line("")
	line("%s", i.Description)
	line("")
	line("- Categories of personal data: %s", strings.Join(i.Categories, ", "))
	line("- Approximate number of data subjects concerned: %d", i.People)
	line("- Approximate number of personal data records concerned: %d", i.Records)
	line("")
	line("### Likely consequences (art. 33(3)(c))")
	line("")
	line("%s", i.Consequences)
	line("")
	line("### Measures taken or proposed (art. 33(3)(d))")
	line("")
	line("%s", i.Measures)
	line("")
	line("### Communication to data subjects (art. 34)")
	line("")
	switch i.Risk {
	case RiskHigh:
		line("The risk to the rights and freedoms of the people concerned is assessed as high: they are being told directly, by e-mail in their language (%d sent, %d waiting so far).",
			i.Deliveries[NoticeSent], i.Deliveries[NoticePending])
	default:
		line("The risk is not assessed as high: the people concerned are not told individually.")
	}
	if i.Now.Sub(i.AwareAt) > AuthorityWindow {
		line("")
		line("### Reasons for the delay (art. 33(1))")
		line("")
		line("_This notice comes more than 72 hours after we became aware: state the reasons here._")
	}
	return b.String()
}
