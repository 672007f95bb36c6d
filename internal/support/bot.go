package support

import (
	"context"
	"strings"

	"github.com/frontdesk/frontdesk/internal/db"
)

// The bot answers a live chat before a person does: the customer's first
// message gets the best-matching help-centre articles in their language,
// with "this solved it" and "talk to a person". It hands the conversation
// to the human queue — with what the customer already tried — when its
// match is not confident, when the customer asks for a person, or at the
// second message it could not settle. Its messages are of kind "bot" and
// say so: the bot never passes for a human.
//
// The Bot interface is what answers: the built-in one searches the
// knowledge base (kb.Bot); one that calls a language model can take its
// place.

// Bot answers a customer's question.
type Bot interface {
	Answer(ctx context.Context, question, locale string) (BotAnswer, error)
}

// BotAnswer is what the bot found.
type BotAnswer struct {
	Articles  []BotArticle
	Confident bool // the best match is good enough to offer
}

// BotArticle is one suggested article.
type BotArticle struct {
	Title string
	URL   string
}

// Bot outcomes.
const (
	BotAnswered  = "answered"
	BotHandedOff = "handed_off"
)

// BotTurn lets the bot answer the customer's latest message, or hands the
// conversation over. It returns what happened; "" when the bot is not
// involved (no bot, already handed over, or a first message it has no
// confident answer for — the caller then assigns the conversation).
func (s *Service) BotTurn(ctx context.Context, convID, question string, first bool) (string, error) {
	if s.bot == nil {
		return "", nil
	}
	var active bool
	var answers int
	var lang string
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT bot_active, bot_answers, language FROM conversations WHERE id = ?", convID).Scan(&active, &answers, &lang)
	})
	if err != nil {
		return "", err
	}
	if !first && !active {
		return "", nil
	}
	if answers >= 1 {
		return BotHandedOff, s.HandOver(ctx, convID, "second")
	}
	ans, err := s.bot.Answer(ctx, question, lang)
	if err != nil {
		s.log.WarnContext(ctx, "the bot could not answer", "conversation", convID, "error", err.Error())
	}
	if err != nil || !ans.Confident || len(ans.Articles) == 0 {
		if answers == 0 {
			return "", nil // never involved: the conversation goes to people as if there were no bot
		}
		return BotHandedOff, s.HandOver(ctx, convID, "unsure")
	}
	t := botText(lang)
	var b strings.Builder
	b.WriteString(t.intro)
	for i, a := range ans.Articles {
		if i == 3 {
			break
		}
		b.WriteString("\n• " + a.Title + " — " + s.base + a.URL)
	}
	b.WriteString("\n\n" + t.ask)
	var msg *Message
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		c, subject, err := s.load(ctx, tx, convID, true)
		if err != nil {
			return err
		}
		if msg, _, err = s.post(ctx, tx, c, subject, KindBot, "", "", b.String()); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE conversations SET bot_active = TRUE, bot_answers = bot_answers + 1 WHERE id = ?", convID)
		return err
	})
	if err != nil {
		return "", err
	}
	s.publish(ctx, convID, "message", msg)
	return BotAnswered, nil
}

// HandOver ends the bot's part: a system message says why and that a
// person will answer, and the conversation goes to the next free agent
// (or waits in the queue). reason: "asked" (the customer asked for a
// person), "unsure" (no confident match), "second" (a second message the
// bot could not settle), "guide" (HandOverAfterGuide).
func (s *Service) HandOver(ctx context.Context, convID, reason string) error {
	return s.handOver(ctx, convID, reason, "")
}

// HandOverAfterGuide hands a conversation over after the customer walked
// a guided troubleshooting flow: transcript (what the bot asked, what the
// customer answered) goes into the conversation as the bot's message, in
// the same transaction as the hand-over note, so the agent sees the path
// taken.
func (s *Service) HandOverAfterGuide(ctx context.Context, convID, transcript string) error {
	if strings.TrimSpace(transcript) == "" {
		return invalid("transcript", "the guide's transcript is empty")
	}
	return s.handOver(ctx, convID, "guide", transcript)
}

func (s *Service) handOver(ctx context.Context, convID, reason, transcript string) error {
	var msgs []*Message
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		msgs = nil
		c, subject, err := s.load(ctx, tx, convID, true)
		if err != nil {
			return err
		}
		if transcript != "" {
			m, _, err := s.post(ctx, tx, c, subject, KindBot, "", "", transcript)
			if err != nil {
				return err
			}
			msgs = append(msgs, m)
		}
		var answers int
		if err := tx.QueryRow(ctx, "SELECT bot_answers FROM conversations WHERE id = ?", convID).Scan(&answers); err != nil {
			return err
		}
		t := botText(c.Language)
		text := t.handover
		switch {
		case transcript != "":
			text += " " + t.guided
		case answers > 0:
			text += " " + t.tried
		}
		m, _, err := s.post(ctx, tx, c, subject, KindSystem, "", "", text)
		if err != nil {
			return err
		}
		msgs = append(msgs, m)
		_, err = tx.Exec(ctx, "UPDATE conversations SET bot_active = FALSE WHERE id = ?", convID)
		return err
	})
	if err != nil {
		return err
	}
	for _, m := range msgs {
		s.publish(ctx, convID, "message", m)
	}
	s.log.InfoContext(ctx, "the bot handed a conversation over", "conversation", convID, "reason", reason)
	if _, err := s.AutoAssign(ctx, convID); err != nil {
		s.log.WarnContext(ctx, "handed-over chat not assigned", "conversation", convID, "error", err.Error())
	}
	return nil
}

// BotSolved records that the bot's articles solved the customer's
// problem: the conversation is resolved (and surveyed) without a person.
func (s *Service) BotSolved(ctx context.Context, convID string) error {
	var msg *Message
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		c, subject, err := s.load(ctx, tx, convID, true)
		if err != nil {
			return err
		}
		var active bool
		if err := tx.QueryRow(ctx, "SELECT bot_active FROM conversations WHERE id = ?", convID).Scan(&active); err != nil {
			return err
		}
		if !active {
			return invalid("bot", "the bot is not answering this conversation")
		}
		msg, _, err = s.post(ctx, tx, c, subject, KindSystem, "", "", botText(c.Language).solved)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE conversations SET bot_active = FALSE WHERE id = ?", convID)
		return err
	})
	if err != nil {
		return err
	}
	s.publish(ctx, convID, "message", msg)
	_, err = s.Update(ctx, convID, Change{Status: StatusResolved})
	return err
}

type botTexts struct{ intro, ask, handover, tried, guided, solved string }

func botText(lang string) botTexts {
	switch normalizeLocale(lang) {
	case "vi":
		return botTexts{intro: "Tôi là trợ lý tự động. Những bài viết này có thể giúp bạn:", ask: "Vấn đề đã được giải quyết chưa? Nếu chưa, bạn có thể nói chuyện với nhân viên.",
			handover: "Một nhân viên hỗ trợ sẽ trả lời bạn.", tried: "Khách hàng đã xem các bài viết được gợi ý.", guided: "Khách hàng đã làm theo hướng dẫn khắc phục sự cố (ở trên).", solved: "Khách hàng cho biết bài viết trợ giúp đã giải quyết vấn đề."}
	case "zh":
		return botTexts{intro: "我是自动助手。这些文章也许能帮到您:", ask: "问题解决了吗?如果没有,您可以联系人工客服。",
			handover: "客服人员将为您解答。", tried: "客户已查看推荐的文章。", guided: "客户已按照故障排除指南操作(见上文)。", solved: "客户表示帮助文章解决了问题。"}
	}
	return botTexts{intro: "I am an automatic assistant. These articles may help:", ask: "Did this solve it? If not, you can talk to a person.",
		handover: "A member of our support team will answer you.", tried: "The customer already read the suggested articles.", guided: "The customer already followed a troubleshooting guide (above).", solved: "The customer says a help-centre article solved the problem."}
}
