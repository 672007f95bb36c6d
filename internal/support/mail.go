package support

import (
	"context"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/notify"
)

// Mailer sends one e-mail (notify.Mailer implements it).
type Mailer interface {
	Send(ctx context.Context, msg notify.Message) (string, error)
}

// Outgoing e-mail of the desk:
//
//   - An agent's reply reaches a contact who is not signed in to the portal
//     (a visitor, or anyone on the e-mail channel) as an e-mail with the
//     reply's text, threaded under their last message (In-Reply-To and
//     References), from the desk's address; the customer answers by
//     replying. A signed-in customer's portal conversation gets a short
//     notice with a link instead: the text stays behind their sign-in.
//   - The satisfaction survey and the follow-up (aftercare.go).
//
// Mail goes out after the transaction commits, in the background; a
// failure is logged and the message stays in the conversation.

// mailJob is one message to send and, for a threaded reply, the
// conversation whose thread records its Message-ID.
type mailJob struct {
	msg    notify.Message
	convID string
}

type mailQueue struct{ wg sync.WaitGroup }

type notifyMessage = notify.Message

// WaitMail waits until every e-mail queued so far has been handed to the
// mailer (tests, and a clean shutdown).
func (s *Service) WaitMail() { s.mailq.wg.Wait() }

func (s *Service) sendMail(ctx context.Context, jobs ...mailJob) {
	if s.mail == nil || len(jobs) == 0 {
		return
	}
	ctx = context.WithoutCancel(ctx)
	s.mailq.wg.Add(1)
	go func() {
		defer s.mailq.wg.Done()
		for _, j := range jobs {
			sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
			id, err := s.mail.Send(sctx, j.msg)
			cancel()
			if err != nil {
				s.log.WarnContext(ctx, "support e-mail not sent", "template", j.msg.Template, "conversation", j.convID, "error", err.Error())
				continue
			}
			if j.convID != "" {
				s.rememberMessageID(ctx, j.convID, id, false)
			}
		}
	}()
}

// rememberMessageID records a Message-ID of a conversation's thread.
func (s *Service) rememberMessageID(ctx context.Context, convID, id string, inbound bool) {
	id = strings.Trim(strings.TrimSpace(id), "<>")
	if id == "" || len(id) > 250 {
		return
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO conversation_email (message_id, conversation_id, inbound, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
			id, convID, inbound, tx.Now())
		return err
	})
	if err != nil {
		s.log.WarnContext(ctx, "e-mail thread not recorded", "conversation", convID, "error", err.Error())
	}
}

// thread returns the last inbound Message-ID and the latest ids of a
// conversation's thread (at most 10, oldest first) for a reply's headers.
func (s *Service) thread(ctx context.Context, tx *db.Tx, convID string) (inReplyTo string, refs []string, err error) {
	rows, err := tx.Query(ctx, "SELECT message_id, inbound FROM conversation_email WHERE conversation_id = ? ORDER BY created_at DESC, message_id LIMIT 10", convID)
	if err != nil {
		return "", nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var inbound bool
		if err := rows.Scan(&id, &inbound); err != nil {
			return "", nil, err
		}
		if inbound && inReplyTo == "" {
			inReplyTo = id
		}
		refs = append([]string{id}, refs...)
	}
	return inReplyTo, refs, rows.Err()
}

// replyMail is the e-mail that carries an agent's reply to the contact,
// or nil when the contact has no address. It is written as the desk's
// conversation (desk_reply): the agent's words as they wrote them, with
// no greeting added to theirs, signed, with the reference in the subject.
func (s *Service) replyMail(ctx context.Context, tx *db.Tx, c *Conversation, m *Message, agentName string) (*mailJob, error) {
	if c.Contact.Email == "" {
		return nil, nil
	}
	t := deskText(c.Language)
	subject := c.Subject
	if subject == "" {
		subject = t.replySubject
	}
	if !strings.HasPrefix(strings.ToLower(subject), "re:") {
		subject = "Re: " + subject
	}
	job := s.deskMail(c, "desk_reply", subject)
	if c.Contact.AccountID != "" && c.Channel != ChannelEmail {
		// A portal customer: a notice; the text stays behind the sign-in.
		job.msg.Template = "desk_notice"
		job.msg.Data["Body"] = strings.ReplaceAll(t.replyNotice, "{agent}", agentName)
		job.msg.Data["ActionURL"] = s.base + "/support/" + c.ID
		job.msg.Data["ActionText"] = t.replyAction
		return job, nil
	}
	job.msg.Data["Body"] = m.Body
	job.msg.Data["Signature"] = "— " + agentName + ", " + s.org
	inReplyTo, refs, err := s.thread(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	job.msg.InReplyTo, job.msg.References = inReplyTo, refs
	return job, nil
}

// ackMail acknowledges a conversation started from the contact page: its
// reference, and for a signed-in customer the link to it. The visitor's
// own words are not repeated: anyone can type any address into the form,
// and the desk must not become a way to send text to a stranger.
func (s *Service) ackMail(c *Conversation) *mailJob {
	if c.Contact.Email == "" {
		return nil
	}
	t := deskText(c.Language)
	job := s.deskMail(c, "desk_ack", t.ackTitle)
	body := strings.ReplaceAll(t.ackBody, "{ref}", Reference(c.ID))
	if c.Contact.AccountID != "" {
		job.msg.Data["ActionURL"] = s.base + "/support/" + c.ID
		job.msg.Data["ActionText"] = t.replyAction
	} else if s.deskFrom != nil {
		body += "\n\n" + t.ackReply
	}
	job.msg.Data["Body"] = body
	return job
}

// deskMail is the frame of the desk's e-mail to a conversation's contact:
// from the support mailbox when there is one (Reply-To it too), with the
// business's name and the conversation's reference.
func (s *Service) deskMail(c *Conversation, template, title string) *mailJob {
	job := &mailJob{convID: c.ID}
	job.msg = notify.Message{To: mail.Address{Name: c.Contact.Name, Address: c.Contact.Email}, Template: template, Locale: c.Language,
		Data: map[string]any{"Title": title, "Name": c.Contact.Name, "Org": s.org, "Ref": Reference(c.ID), "CanReply": s.deskFrom != nil,
			"SupportURL": s.base + "/contact"}}
	if s.deskFrom != nil {
		from := *s.deskFrom
		job.msg.From, job.msg.ReplyTo = &from, &from
	}
	return job
}

// agentName is the name customers see for an agent.
func (s *Service) agentName(ctx context.Context, tx *db.Tx, id string) (string, error) {
	var name string
	err := tx.QueryRow(ctx, "SELECT display_name FROM support_agents WHERE account_id = ?", id).Scan(&name)
	if err != nil {
		return deskText("en").team, nil // an agent not yet set up on the desk
	}
	return name, nil
}

// texts of the desk's e-mails, per language.
type deskTexts struct {
	replySubject, replyNotice, replyAction, team            string
	surveyTitle, surveyBody, surveyAction                   string
	followTitle, followBody, followAction, reopened, solved string
	complaintTitle                                          string
	ackTitle, ackBody, ackReply                             string
}

func deskText(lang string) deskTexts {
	switch normalizeLocale(lang) {
	case "vi":
		return deskTexts{
			replySubject: "Trả lời yêu cầu hỗ trợ của bạn", replyNotice: "{agent} đã trả lời yêu cầu hỗ trợ của bạn.", replyAction: "Xem câu trả lời", team: "Đội hỗ trợ",
			surveyTitle: "Chúng tôi đã giúp được bạn chưa?", surveyBody: "Yêu cầu của bạn đã được giải quyết. Bạn đánh giá sự hỗ trợ của chúng tôi thế nào (1 đến 5)? Chỉ mất vài giây.", surveyAction: "Đánh giá",
			followTitle: "Vấn đề có còn không?", followBody: "Vài ngày trước chúng tôi đã giải quyết yêu cầu của bạn. Vấn đề có còn được khắc phục không? Nếu không, chúng tôi sẽ mở lại ngay.", followAction: "Trả lời",
			reopened: "Khách hàng cho biết vấn đề đã quay lại.", solved: "Khách hàng xác nhận vấn đề vẫn được khắc phục.",
			complaintTitle: "Trả lời khiếu nại của bạn",
			ackTitle:       "Chúng tôi đã nhận được tin nhắn của bạn",
			ackBody:        "Cảm ơn bạn đã liên hệ. Tin nhắn của bạn đã đến đội hỗ trợ và chúng tôi sẽ trả lời sớm nhất có thể. Mã tham chiếu của bạn là {ref}.",
			ackReply:       "Nếu muốn bổ sung thông tin, bạn chỉ cần trả lời thư này."}
	case "zh":
		return deskTexts{
			replySubject: "回复您的支持请求", replyNotice: "{agent} 回复了您的支持请求。", replyAction: "查看回复", team: "客服团队",
			surveyTitle: "我们帮到您了吗?", surveyBody: "您的请求已解决。请为我们的服务打分(1 到 5),只需几秒钟。", surveyAction: "评分",
			followTitle: "问题还在吗?", followBody: "几天前我们解决了您的请求。问题是否一直没有再出现?如果又出现了,我们会立即重新处理。", followAction: "回答",
			reopened: "客户表示问题再次出现。", solved: "客户确认问题已解决。",
			complaintTitle: "对您投诉的答复",
			ackTitle:       "我们已收到您的留言",
			ackBody:        "感谢您联系我们。您的留言已送达客服团队，我们会尽快答复。您的编号是 {ref}。",
			ackReply:       "如需补充信息，直接回复这封邮件即可。"}
	}
	return deskTexts{
		replySubject: "Your support request", replyNotice: "{agent} answered your support request.", replyAction: "Read the answer", team: "Support team",
		surveyTitle: "Did we help?", surveyBody: "Your request was resolved. How would you rate our help, from 1 to 5? It takes a few seconds.", surveyAction: "Rate our help",
		followTitle: "Is the problem still solved?", followBody: "A few days ago we resolved your request. Has the problem stayed solved? If not, we reopen it straight away.", followAction: "Answer",
		reopened: "The customer says the problem came back.", solved: "The customer confirms the problem stayed solved.",
		complaintTitle: "Our answer to your complaint",
		ackTitle:       "We received your message",
		ackBody:        "Thank you for writing to us. Your message reached our support team, and we will answer as soon as we can. Your reference is {ref}.",
		ackReply:       "To add anything, simply reply to this e-mail."}
}

// RecordInboundID records the Message-ID of a customer's e-mail on a
// conversation, so replies thread under it.
func (s *Service) RecordInboundID(ctx context.Context, convID, messageID string) error {
	id := strings.Trim(strings.TrimSpace(messageID), "<>")
	if id == "" || len(id) > 250 {
		return invalid("message_id", "not a Message-ID")
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO conversation_email (message_id, conversation_id, inbound, created_at) VALUES (?, ?, TRUE, ?) ON CONFLICT DO NOTHING",
			id, convID, tx.Now())
		return err
	})
}
