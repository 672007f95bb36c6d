package console

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/support"
	"github.com/frontdesk/frontdesk/internal/web"
)

// The support desk in the console: the inbox (conversations:read), a
// conversation with the customer's account facts beside it, replies and
// internal notes, status, priority, category, tags, assignment and merging
// (conversations:write), and the desk's settings (desk:manage).

type inboxView struct {
	View          string
	Counts        support.ViewCounts
	Conversations []conversationRow
	Next          string // query string of the next page, or ""
	Query         url.Values
	Keep          string // the view and filters, carried by the list's links
	Categories    []support.Category
	CategoryNames map[string]string
	Lang          string
	// Conv is the open conversation (the third pane), nil on the inbox.
	Conv *conversationView
}

// conversationRow is a conversation as the list shows it: the contact's
// e-mail masked, the last message's first words, and the SLA clock.
type conversationRow struct {
	support.Conversation
	Who, Initials string
	Preview       support.Preview
	Due           *time.Time    // the next SLA due time, while it matters
	DueIn         time.Duration // until Due; negative when overdue
	Ago           time.Duration // since the last message
	Selected      bool
}

// Overdue says the SLA due time has passed (the desk marks it breached
// on its next check).
func (r conversationRow) Overdue() bool { return r.Due != nil && r.DueIn < 0 }

// Late is how long ago the due time passed.
func (r conversationRow) Late() time.Duration { return -r.DueIn }

// inboxFilters are the list's filters kept in the address.
var inboxFilters = []string{"q", "category", "channel", "tag", "status"}

func (s *Handler) consoleInbox(w http.ResponseWriter, r *http.Request) error {
	v, fm, err := s.inboxList(r, "")
	if err != nil {
		return err
	}
	return s.renderConsole(w, r, http.StatusOK, "console_inbox", fm, v)
}

// inboxList reads the views' counts and the list of the view and filters
// in the address, with selected marked.
func (s *Handler) inboxList(r *http.Request, selected string) (*inboxView, *web.Form, error) {
	q := r.URL.Query()
	ctx := r.Context()
	me := web.Principal(ctx).AccountID
	view := q.Get("view")
	if !slices.Contains(web.InboxViews, view) {
		view = "active"
	}
	f := support.Filter{Category: q.Get("category"), Channel: q.Get("channel"), Tag: q.Get("tag"), Query: q.Get("q"), Limit: 50}
	if ref := strings.ToUpper(strings.TrimSpace(f.Query)); web.ReferencePattern.MatchString(ref) {
		f.Query, f.Reference = "", ref
	}
	switch view {
	case "mine":
		f.AssigneeID, f.Status = me, "active"
	case "unassigned":
		f.AssigneeID, f.Status = "none", "active"
	case "active":
		f.Status = "active"
	case "breached":
		f.Breached, f.Status = true, "active"
	}
	if st := q.Get("status"); slices.Contains(support.Statuses, st) {
		f.Status = st
	}
	if before := q.Get("before"); before != "" {
		ns, id, ok := strings.Cut(before, "_")
		n, err := strconv.ParseInt(ns, 10, 64)
		if ok && err == nil {
			f.BeforeAt, f.BeforeID = time.Unix(0, n).UTC(), id
		}
	}
	list, err := s.deps.Support.List(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	cats, err := s.deps.Support.Categories(ctx)
	if err != nil {
		return nil, nil, err
	}
	lang := web.Info(ctx).Lang
	v := &inboxView{View: view, Query: q, Categories: cats, Lang: lang, CategoryNames: web.CategoryNames(cats, lang)}
	if v.Counts, err = s.deps.Support.Counts(ctx, me); err != nil {
		return nil, nil, err
	}
	ids := make([]string, len(list))
	for i, c := range list {
		ids[i] = c.ID
	}
	previews, err := s.deps.Support.Previews(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	for _, c := range list {
		row := conversationRow{Conversation: c, Who: web.MaskedContact(c.Contact), Preview: previews[c.ID], Ago: now.Sub(c.LastMessageAt), Selected: c.ID == selected}
		row.Initials = initials(c.Contact.Name, row.Who)
		if c.Status == support.StatusOpen || c.Status == support.StatusPending {
			if c.FirstResponseAt == nil {
				row.Due = c.FirstResponseDue
			} else {
				row.Due = c.ResolutionDue
			}
			if row.Due != nil {
				row.DueIn = row.Due.Sub(now)
			}
		}
		v.Conversations = append(v.Conversations, row)
	}
	keep := url.Values{}
	if view != "active" {
		keep.Set("view", view)
	}
	fm := web.NewForm(r)
	for _, k := range inboxFilters {
		fm.Values[k] = q.Get(k)
		if q.Get(k) != "" {
			keep.Set(k, q.Get(k))
		}
	}
	v.Keep = keep.Encode()
	if len(list) == f.Limit {
		last := list[len(list)-1]
		next := url.Values{}
		for k, vs := range keep {
			next[k] = vs
		}
		next.Set("before", strconv.FormatInt(last.LastMessageAt.UnixNano(), 10)+"_"+last.ID)
		v.Next = next.Encode()
	}
	return v, fm, nil
}

// initials are what the list shows in place of a picture: the first
// letters of the first and last words of the name (one character for a
// Chinese name), or of the masked address.
func initials(name, who string) string {
	words := strings.Fields(name)
	if len(words) == 0 {
		words = strings.Fields(who)
	}
	if len(words) == 0 {
		return "?"
	}
	first := []rune(words[0])
	if len(words) == 1 || first[0] > 0x2E80 {
		return strings.ToUpper(string(first[0]))
	}
	last := []rune(words[len(words)-1])
	return strings.ToUpper(string(first[0]) + string(last[0]))
}

// conversationView is one conversation with what the viewer may see.
type conversationView struct {
	C          *support.Conversation
	Who        string
	Email      string // masked unless revealed
	Account    *identity.AccountDetail
	Factors    []string
	Failed     []identity.LoginEvent // recent failed sign-ins
	Agents     []support.Agent
	AgentNames map[string]string
	Teams      []support.Team
	Categories []support.Category
	CatNames   map[string]string
	Canned     []support.Canned
	Calls      []support.Call
	// CustomerRead is how far the customer has read (live chat).
	CustomerRead int
	Survey       *support.Survey
	Files        map[string]support.Attachment // by message id
	Lang         string
	Me           string
	// Assist lists the conversation's remote-assistance sessions; nil
	// without the service.
	Assist []assist.Session
}

func (s *Handler) consoleConversation(w http.ResponseWriter, r *http.Request) error {
	return s.renderConversation(w, r, http.StatusOK, web.NewForm(r))
}

func (s *Handler) renderConversation(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	ctx, id := r.Context(), r.PathValue("id")
	if !web.ConvIDPattern.MatchString(id) {
		return web.ErrNotFound
	}
	c, err := s.deps.Support.Get(ctx, id, true)
	if err != nil {
		return web.SupportError(err)
	}
	me := web.Principal(ctx).AccountID
	v := conversationView{C: c, Who: web.MaskedContact(c.Contact), Email: access.MaskEmail(c.Contact.Email), Lang: web.Info(ctx).Lang, Me: me, AgentNames: map[string]string{}}
	if v.Agents, err = s.deps.Support.Agents(ctx); err != nil {
		return err
	}
	for _, a := range v.Agents {
		v.AgentNames[a.AccountID] = a.DisplayName
	}
	if v.Teams, err = s.deps.Support.Teams(ctx); err != nil {
		return err
	}
	if v.Categories, err = s.deps.Support.Categories(ctx); err != nil {
		return err
	}
	v.CatNames = web.CategoryNames(v.Categories, v.Lang)
	if v.Calls, err = s.deps.Support.Calls(ctx, id); err != nil {
		return err
	}
	if v.CustomerRead, _, err = s.deps.Support.ReadMarks(ctx, id); err != nil {
		return err
	}
	if v.Survey, err = s.deps.Support.SurveyOf(ctx, id); err != nil {
		return err
	}
	if v.Files, err = web.FilesByMessage(s.deps.Support, r, id); err != nil {
		return err
	}
	if v.Canned, err = s.deps.Support.CannedReplies(ctx, c.Language); err != nil {
		return err
	}
	// The account beside the conversation, for those allowed to see it.
	if c.Contact.AccountID != "" {
		if ok, err := s.deps.Access.Allowed(ctx, web.Principal(ctx), access.CustomersRead); err != nil {
			return err
		} else if ok {
			if err := s.accountFacts(r, &v); err != nil {
				return err
			}
		}
	}
	if f.Notice == "" {
		if n := r.URL.Query().Get("done"); n != "" && len(n) < 20 {
			f.Notice = "console.done." + n
		}
	}
	// "Insert" a canned reply: the reply box comes back filled in.
	if cid := r.URL.Query().Get("canned"); cid != "" && f.Values["body"] == "" {
		if cr, err := s.deps.Support.CannedReply(ctx, cid); err == nil {
			f.Values["body"] = support.Fill(cr.Body, c.Contact.Name, v.AgentNames[me])
		}
	}
	if s.deps.Assist != nil && c.Contact.AccountID != "" {
		if v.Assist, err = s.deps.Assist.OfConversation(ctx, id); err != nil {
			return err
		}
		// Assistance reports in the console's language, not the customer's.
		for i, m := range c.Messages {
			if body, ok := s.deps.Assist.Localize(ctx, m, v.Lang); ok {
				c.Messages[i].Body = body
			}
		}
	}
	inbox, fm, err := s.inboxList(r, id)
	if err != nil {
		return err
	}
	for k, val := range fm.Values {
		if _, ok := f.Values[k]; !ok {
			f.Values[k] = val
		}
	}
	inbox.Conv = &v
	return s.renderConsole(w, r, status, "console_inbox", f, inbox)
}

// accountFacts reads what an agent needs to help with a sign-in problem:
// lock state, second-factor types (never secrets), recent failed sign-ins.
func (s *Handler) accountFacts(r *http.Request, v *conversationView) error {
	ctx, id := r.Context(), v.C.Contact.AccountID
	d, err := s.deps.Identity.Detail(ctx, id)
	if errors.Is(err, identity.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	until, err := s.deps.Access.Revealed(ctx, web.Principal(ctx).AccountID, id)
	if err != nil {
		return err
	}
	if !until.IsZero() {
		v.Email = d.Email
	}
	v.Account = d
	if s.deps.MFA != nil {
		fs, err := s.deps.MFA.Factors(ctx, id)
		if err != nil {
			return err
		}
		for _, fa := range fs {
			if !slices.Contains(v.Factors, fa.Kind) {
				v.Factors = append(v.Factors, fa.Kind)
			}
		}
	}
	hist, err := s.deps.Identity.LoginHistory(ctx, id, 20)
	if err != nil {
		return err
	}
	for _, e := range hist {
		if e.Result != "success" && len(v.Failed) < 5 {
			e.IP = "" // shown only on the customer page, after a reveal
			v.Failed = append(v.Failed, e)
		}
	}
	return nil
}

// consoleReply posts an agent's reply or an internal note, and with
// "and then" a status change in the same step.
func (s *Handler) consoleReply(w http.ResponseWriter, r *http.Request) error {
	ctx, id := r.Context(), r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		return err
	}
	kind := support.KindAgent
	if r.PostFormValue("kind") == "note" {
		kind = support.KindNote
	}
	_, _, err := s.deps.Support.Post(ctx, id, support.NewMessage{Kind: kind, AuthorID: web.Principal(ctx).AccountID, Body: r.PostFormValue("body"),
		ClientID: web.ClientID(r.PostFormValue("client_id"))})
	if err != nil {
		var inv *support.InvalidError
		if errors.As(err, &inv) {
			f := web.NewForm(r, "body")
			f.Errors["body"] = s.Pages.Translator(web.Info(ctx).Lang)("desk.err.body")
			return s.renderConversation(w, r, http.StatusBadRequest, f)
		}
		return web.SupportError(err)
	}
	if then := r.PostFormValue("then"); slices.Contains(support.Statuses, then) {
		if _, err := s.deps.Support.Update(ctx, id, support.Change{Status: then}); err != nil {
			return web.SupportError(err)
		}
	}
	done := "replied"
	if kind == support.KindNote {
		done = "noted"
	}
	return web.BackToConversation(w, r, id, done)
}

// consoleConversationUpdate saves the conversation's fields: status,
// priority, category, team, and when the form carries them the assignee
// and the tags. The page's script sends it on every change (X-Autosave:
// answered 204); without JavaScript the form's Save button sends it all.
func (s *Handler) consoleConversationUpdate(w http.ResponseWriter, r *http.Request) error {
	ctx, id := r.Context(), r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		return err
	}
	c, err := s.deps.Support.Get(ctx, id, false)
	if err != nil {
		return web.SupportError(err)
	}
	ch := support.Change{Status: r.PostFormValue("status"), Priority: r.PostFormValue("priority"), Category: r.PostFormValue("category"), TeamID: r.PostFormValue("team")}
	if _, err := s.deps.Support.Update(ctx, id, ch); err != nil {
		return web.SupportError(err)
	}
	if agents, ok := r.PostForm["agent"]; ok && agents[0] != c.AssigneeID {
		if err := s.assignTo(r, id, agents[0]); err != nil {
			return err
		}
	}
	if raw, ok := r.PostForm["tags"]; ok {
		tags := splitTags(raw[0])
		if !slices.Equal(tags, c.Tags) {
			if _, err := s.deps.Support.SetTags(ctx, id, tags); err != nil {
				return web.SupportError(err)
			}
		}
	}
	if r.Header.Get("X-Autosave") == "1" {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return web.BackToConversation(w, r, id, "updated")
}

// splitTags reads a tag field: words separated by commas or spaces,
// lower case, sorted, without repeats (as support.SetTags keeps them).
func splitTags(v string) []string {
	tags := strings.FieldsFunc(strings.ToLower(v), func(r rune) bool { return r == ',' || r == ' ' })
	slices.Sort(tags)
	return slices.Compact(tags)
}

func (s *Handler) consoleConversationTags(w http.ResponseWriter, r *http.Request) error {
	ctx, id := r.Context(), r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		return err
	}
	if _, err := s.deps.Support.SetTags(ctx, id, splitTags(r.PostFormValue("tags"))); err != nil {
		return web.SupportError(err)
	}
	return web.BackToConversation(w, r, id, "updated")
}

func (s *Handler) consoleAssign(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		return err
	}
	if err := s.assignTo(r, id, r.PostFormValue("agent")); err != nil {
		return err
	}
	return web.BackToConversation(w, r, id, "assigned")
}

// assignTo gives conversation id to agent: an agent's id, "me", "auto"
// (the next free agent) or "" (nobody).
func (s *Handler) assignTo(r *http.Request, id, agent string) error {
	ctx := r.Context()
	var err error
	switch agent {
	case "auto":
		var got string
		if got, err = s.deps.Support.AutoAssign(ctx, id); err == nil && got == "" {
			return &web.Error{Status: http.StatusConflict, Code: "no_agent_free", Message: "No agent is free: every agent is away or at their limit. The conversation stays in the queue."}
		}
	case "me":
		err = s.deps.Support.Assign(ctx, id, web.Principal(ctx).AccountID)
	default:
		err = s.deps.Support.Assign(ctx, id, agent)
	}
	if err != nil {
		return web.SupportError(err)
	}
	return nil
}

func (s *Handler) consoleMerge(w http.ResponseWriter, r *http.Request) error {
	ctx, id := r.Context(), r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		return err
	}
	into := strings.TrimSpace(r.PostFormValue("into"))
	if ref := strings.ToUpper(into); web.ReferencePattern.MatchString(ref) {
		// A reference names one conversation unless two ids share their
		// first eight digits; then the id is needed.
		if list, err := s.deps.Support.List(ctx, support.Filter{Reference: ref, Limit: 2}); err == nil && len(list) == 1 {
			into = list[0].ID
		}
	}
	if !web.ConvIDPattern.MatchString(into) {
		return &web.Error{Status: http.StatusBadRequest, Code: "invalid_into", Field: "into", Message: "Give the reference (FD-…) or the id of the conversation to merge into."}
	}
	if err := s.deps.Support.Merge(ctx, id, into); err != nil {
		return web.SupportError(err)
	}
	return web.BackToConversation(w, r, into, "merged")
}

// consoleAway is an agent's own availability switch.
func (s *Handler) consoleAway(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		return err
	}
	if err := s.deps.Support.SetAway(ctx, web.Principal(ctx).AccountID, r.PostFormValue("away") == "true"); err != nil {
		return web.SupportError(err)
	}
	http.Redirect(w, r, "/console/inbox", http.StatusSeeOther)
	return nil
}

// consoleDeskRecovery opens a support-assisted recovery request for the
// customer of a conversation (lost second factor). It only files the
// request: an officer still verifies the identity and approves it, and
// the customer is told by e-mail and can cancel during the cool-off.
func (s *Handler) consoleDeskRecovery(w http.ResponseWriter, r *http.Request) error {
	ctx, id := r.Context(), r.PathValue("id")
	c, err := s.deps.Support.Get(ctx, id, false)
	if err != nil {
		return web.SupportError(err)
	}
	if c.Contact.AccountID == "" || s.deps.MFA == nil {
		return &web.Error{Status: http.StatusConflict, Code: "no_account", Message: "This conversation is not with a customer account."}
	}
	d, err := s.deps.Identity.Detail(ctx, c.Contact.AccountID)
	if err != nil {
		return web.IdentityError(err)
	}
	me := web.Principal(ctx).AccountID
	if err := s.deps.MFA.FileRecovery(ctx, d.Email, "Opened by support from conversation "+id+".", "staff:"+me); err != nil {
		return web.IdentityError(err)
	}
	return web.BackToConversation(w, r, id, "recovery")
}
