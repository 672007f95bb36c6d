package privacy

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/notify"
)

type notifyMessage = notify.Message

// The e-mails of the requests queue and the incident register, in the
// recipient's language: English, Vietnamese or Simplified Chinese.

var mailTexts = map[string]map[string]string{
	"en": {
		"answer.title":    "Your privacy request",
		"answer.body":     "We have answered your request (%s):\n\n%s",
		"extend.title":    "Your privacy request needs more time",
		"extend.body":     "We need more time to answer your request (%s). We will answer by %s.\n\nWhy: %s",
		"remind.title":    "Privacy deadline: %s",
		"remind.request":  "A data-subject request (%s, %s) is due on %s: %s.",
		"remind.incident": "The 72-hour deadline to notify the supervisory authority of the incident %q ends on %s: %s.",
		"remind.soon":     "%s left",
		"remind.over":     "the deadline has passed",
		"remind.action":   "Open it",
		"incident.title":  "Important: a security incident that may affect your data",
		"kind.access":     "access to your data",
		"kind.export":     "a copy of your data",
		"kind.correction": "correction of your data",
		"kind.erasure":    "erasure of your data",
		"kind.objection":  "objection to processing",
	},
	"vi": {
		"answer.title":    "Yêu cầu về quyền riêng tư của bạn",
		"answer.body":     "Chúng tôi đã trả lời yêu cầu của bạn (%s):\n\n%s",
		"extend.title":    "Yêu cầu về quyền riêng tư của bạn cần thêm thời gian",
		"extend.body":     "Chúng tôi cần thêm thời gian để trả lời yêu cầu của bạn (%s). Chúng tôi sẽ trả lời trước %s.\n\nLý do: %s",
		"remind.title":    "Hạn xử lý quyền riêng tư: %s",
		"remind.request":  "Một yêu cầu của chủ thể dữ liệu (%s, %s) đến hạn vào %s: %s.",
		"remind.incident": "Hạn 72 giờ để thông báo cho cơ quan giám sát về sự cố %q kết thúc vào %s: %s.",
		"remind.soon":     "còn %s",
		"remind.over":     "đã quá hạn",
		"remind.action":   "Mở",
		"incident.title":  "Quan trọng: một sự cố bảo mật có thể ảnh hưởng đến dữ liệu của bạn",
		"kind.access":     "truy cập dữ liệu của bạn",
		"kind.export":     "bản sao dữ liệu của bạn",
		"kind.correction": "sửa dữ liệu của bạn",
		"kind.erasure":    "xóa dữ liệu của bạn",
		"kind.objection":  "phản đối việc xử lý",
	},
	"zh": {
		"answer.title":    "您的隐私请求",
		"answer.body":     "我们已答复您的请求（%s）：\n\n%s",
		"extend.title":    "您的隐私请求需要更多时间",
		"extend.body":     "我们需要更多时间答复您的请求（%s）。我们将在 %s 之前答复。\n\n原因：%s",
		"remind.title":    "隐私期限：%s",
		"remind.request":  "一项数据主体请求（%s，%s）将于 %s 到期：%s。",
		"remind.incident": "就事件 %q 通知监管机构的 72 小时期限于 %s 结束：%s。",
		"remind.soon":     "剩余 %s",
		"remind.over":     "已过期限",
		"remind.action":   "打开",
		"incident.title":  "重要：一起可能影响您数据的安全事件",
		"kind.access":     "访问您的数据",
		"kind.export":     "您的数据副本",
		"kind.correction": "更正您的数据",
		"kind.erasure":    "删除您的数据",
		"kind.objection":  "反对处理",
	},
}

// lang is the base language of a locale among en, vi and zh.
func lang(locale string) string {
	base, _, _ := strings.Cut(strings.ToLower(locale), "-")
	if _, ok := mailTexts[base]; ok {
		return base
	}
	return "en"
}

func text(locale, key string, args ...any) string {
	t := mailTexts[lang(locale)][key]
	if len(args) == 0 {
		return t
	}
	return fmt.Sprintf(t, args...)
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func toCustomer(a *identity.Account, title, body string) notify.Message {
	return notify.Message{To: mail.Address{Address: a.Email}, Template: "notice", Locale: lang(a.Locale),
		Data: map[string]any{"Title": title, "Body": body, "Name": a.Name}}
}

func answerMail(a *identity.Account, kind, answer string) notify.Message {
	l := a.Locale
	return toCustomer(a, text(l, "answer.title"), text(l, "answer.body", text(l, "kind."+kind), answer))
}

func extensionMail(a *identity.Account, kind string, due time.Time, reason string) notify.Message {
	l := a.Locale
	return toCustomer(a, text(l, "extend.title"), text(l, "extend.body", text(l, "kind."+kind), stamp(due), reason))
}

// mailCustomer mails the customer what build makes of their account; a
// customer who is gone (erased) is not mailed.
func (s *Service) mailCustomer(ctx context.Context, accountID string, build func(*identity.Account) notify.Message) {
	if s.o.Mail == nil {
		return
	}
	var a *identity.Account
	if err := s.o.DB.Read(ctx, func(tx *db.Tx) (err error) {
		a, err = s.o.Accounts.AccountIn(ctx, tx, accountID)
		return err
	}); err != nil {
		return
	}
	if _, err := s.o.Mail.Send(ctx, build(a)); err != nil {
		s.log.Warn("privacy e-mail to a customer not sent", "error", err.Error())
	}
}

// left says how long is left, in days or hours.
func left(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
	return fmt.Sprintf("%dh", int(d.Hours()))
}
