package assist_test

import (
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/assist"
)

// The guided level's actions reach the customer's page reduced to their
// fields, and malformed ones are refused before the gate: a pointer's
// data is two numbers, a note is 1 to 140 characters of text, a highlight
// has none. A refused action changes nothing, is not counted and is not
// relayed.
func TestGuidedActions(t *testing.T) {
	f := newFixture(t)
	sess := f.active(assist.LevelGuided)
	actions := f.follow(sess.ID, assist.ChannelActions)

	note := `<img src=x onerror=alert(1)> look here`
	for _, a := range []assist.Action{
		{Kind: assist.ActionPointer, Target: 4, Data: json.RawMessage(`{"x":120,"y":48.5}`)},
		{Kind: assist.ActionHighlight, Target: 7},
		{Kind: assist.ActionAnnotate, Target: 7, Data: mustJSON(t, map[string]string{"text": note})},
	} {
		if err := f.svc.Act(ctx, sess.ID, f.agent, a); err != nil {
			t.Fatalf("%s: %v", a.Kind, err)
		}
		var got assist.Action
		if err := json.Unmarshal(next(t, actions), &got); err != nil || got.Kind != a.Kind || got.Target != a.Target {
			t.Fatalf("relayed %+v (%v), want %+v", got, err, a)
		}
		if a.Kind == assist.ActionAnnotate && !strings.Contains(string(got.Data), "onerror") {
			t.Fatalf("the note was changed on the way: %s", got.Data) // shown as text by the page, not filtered here
		}
	}
	for _, a := range []assist.Action{
		{Kind: assist.ActionPointer, Data: json.RawMessage(`{"x":"left","y":1}`)},
		{Kind: assist.ActionPointer, Data: json.RawMessage(`{"x":1}`)},
		{Kind: assist.ActionAnnotate, Target: 7},
		{Kind: assist.ActionAnnotate, Target: 7, Data: json.RawMessage(`{"text":"   "}`)},
		{Kind: assist.ActionAnnotate, Target: 7, Data: mustJSON(t, map[string]string{"text": strings.Repeat("é", assist.MaxNote+1)})},
		{Kind: assist.ActionAnnotate, Target: 7, Data: json.RawMessage(`{"text":42}`)},
		{Kind: assist.ActionAnnotate, Target: 7, Data: json.RawMessage(`"look here"`)},
		{Kind: assist.ActionPointer, Target: 4},
		{Kind: assist.ActionPointer, Data: json.RawMessage(`{"x":null,"y":2}`)},
		{Kind: assist.ActionPointer, Data: json.RawMessage(`[1,2]`)},
		{Kind: assist.ActionHighlight, Target: 7, Data: json.RawMessage(`{"html":"<b>big</b>"}`)},
		{Kind: assist.ActionHighlight, Target: 7, Data: json.RawMessage(`"x"`)},
	} {
		var inv *assist.InvalidError
		if err := f.svc.Act(ctx, sess.ID, f.agent, a); !errors.As(err, &inv) || inv.Field != "data" {
			t.Fatalf("%s %s: %v, want an invalid data error", a.Kind, a.Data, err)
		}
	}
	if err := f.svc.Act(ctx, sess.ID, f.agent, assist.Action{Kind: assist.ActionAnnotate, Target: 7, Data: mustJSON(t, map[string]string{"text": strings.Repeat("é", assist.MaxNote)})}); err != nil {
		t.Fatalf("a note of %d characters: %v", assist.MaxNote, err)
	}
	next(t, actions)
	// Only the kind's fields travel on: padding in the data is dropped, so
	// the size of what reaches the page and the recording is bounded.
	pad := strings.Repeat("A", 8<<10)
	for _, c := range []struct {
		a    assist.Action
		want string
	}{
		{assist.Action{Kind: assist.ActionPointer, Target: 4, Data: json.RawMessage(`{"x":3,"y":-1.5,"pad":"` + pad + `"}`)}, `{"x":3,"y":-1.5}`},
		{assist.Action{Kind: assist.ActionAnnotate, Target: 7, Data: json.RawMessage(`{"text":"here","pad":"` + pad + `"}`)}, `{"text":"here"}`},
		{assist.Action{Kind: assist.ActionHighlight, Target: 7, Data: json.RawMessage(`{}`)}, ``},
	} {
		if err := f.svc.Act(ctx, sess.ID, f.agent, c.a); err != nil {
			t.Fatalf("%s: %v", c.a.Kind, err)
		}
		var got assist.Action
		if err := json.Unmarshal(next(t, actions), &got); err != nil || string(got.Data) != c.want {
			t.Fatalf("%s relayed with %s (%v), want %s", c.a.Kind, got.Data, err, c.want)
		}
	}
	select {
	case p := <-actions:
		t.Fatalf("a refused action was relayed: %s", p)
	default:
	}
	// Clicks stay above the guided level.
	wantErr(t, f.svc.Act(ctx, sess.ID, f.agent, assist.Action{Kind: assist.ActionClick, Target: 7}), assist.ErrNotAllowed)
	// The malformed actions were not counted; the click's refusal was.
	r, err := f.svc.Report(ctx, sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantActions := map[string]int{assist.ActionPointer: 2, assist.ActionHighlight: 2, assist.ActionAnnotate: 3}
	if !maps.Equal(r.Actions, wantActions) || !maps.Equal(r.Refused, map[string]int{assist.ActionClick: 1}) {
		t.Fatalf("counted %v allowed, %v refused; want %v and one click refused", r.Actions, r.Refused, wantActions)
	}
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
