package support

import (
	"context"
	"net/url"

	"github.com/frontdesk/frontdesk/internal/kb"
)

// KBBot is the built-in bot: it searches the knowledge base in the
// conversation's language (every language when it has none we support) for articles with any word of the question,
// ranked, and is confident when the best article's title has at least two
// of the question's words (the only one, for a one-word question).
func KBBot(k *kb.Service) Bot { return kbBot{k} }

type kbBot struct{ kb *kb.Service }

func (b kbBot) Answer(ctx context.Context, question, locale string) (BotAnswer, error) {
	// A conversation's language may be any tag a customer gave, or none:
	// one that is not supported searches every language.
	if l, err := kb.ParseLocale(locale); err == nil {
		locale = l
	} else {
		locale = ""
	}
	res, err := b.kb.Search(ctx, question, kb.SearchOptions{Locale: locale, Limit: 3, NoGap: true, Any: true})
	if err != nil {
		return BotAnswer{}, err
	}
	var out BotAnswer
	for _, h := range res.Hits {
		out.Articles = append(out.Articles, BotArticle{Title: h.Title, URL: "/help/" + url.PathEscape(h.Slug) + "?lang=" + h.Locale})
	}
	if len(res.Hits) > 0 {
		top := res.Hits[0]
		out.Confident = top.InTitle || top.TitleTerms >= 2
	}
	return out, nil
}
