package kb

import pd "github.com/frontdesk/frontdesk/internal/personaldata"

// PersonalData declares the knowledge base's tables (see
// internal/personaldata). Articles are the business's content; staff appear
// only as authors, and a reader's "was this helpful" vote is a bare counter.
// The search questions of anonymous readers are kept without any link to a
// person.
func PersonalData() pd.Set {
	return pd.Set{Owner: "internal/kb", Tables: []pd.Table{
		{Name: "kb_categories", Other: []string{"id", "position", "name_en", "name_vi", "name_zh"}},
		{Name: "kb_articles", Other: []string{"id", "slug", "category_id", "status", "author_id", "helpful_yes", "helpful_no",
			"created_at", "updated_at"}},
		{Name: "kb_translations", Other: []string{"rid", "article_id", "locale", "title", "summary", "body_md", "body_html",
			"search_title", "search_body", "updated_by", "updated_at", "search_key", "search", "title_search", "search_len"}},
		{Name: "kb_revisions", Other: []string{"id", "article_id", "locale", "title", "body_md", "status", "author_id", "created_at"}},
		{Name: "kb_files", Other: []string{"id", "article_id", "filename", "content_type", "data", "created_at"}},
		{Name: "kb_slug_history", Other: []string{"slug", "article_id", "created_at"}},
		{Name: "kb_misses", Purpose: "Finding questions the knowledge base does not answer", Basis: pd.LegitimateInterests,
			Retention: "See the unanswered-searches retention policy; never linked to a person.", Erasure: pd.Keep,
			Retain:   "kb_misses",
			Personal: map[string]pd.Category{"query": pd.Content}, Other: []string{"locale", "count", "last_at"}},
		{Name: "kb_vocab", Other: []string{"term", "df"}},
		{Name: "kb_vocab_fts", Other: []string{"term"}},
		{Name: "kb_fts", Other: []string{"title", "body"}},
		{Name: "kb_search", Other: []string{"title", "body"}},
		{Name: "kb_search_title", Other: []string{"title"}},
		{Name: "kb_flows", Other: []string{"id", "slug", "status", "title_en", "title_vi", "title_zh", "keywords", "definition",
			"author_id", "created_at", "updated_at"}},
		{Name: "kb_starter", Other: []string{"id", "seeded_at"}},
		{Name: "kb_flow_revisions", Other: []string{"id", "flow_id", "status", "definition", "author_id", "created_at"}},
	}, Policies: []pd.Policy{{Class: "kb_misses", Title: "Unanswered help-centre searches", Days: 365, Table: "kb_misses",
		Key: "kb_misses.locale || ':' || kb_misses.query", Age: "kb_misses.last_at", Action: pd.PurgeRows}}}
}
