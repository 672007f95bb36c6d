package web

import "testing"

// A guide's links: each answer extends the path, Back shortens it.
func TestGuidePageLinks(t *testing.T) {
	g := GuidePage{Guide: Guide{Path: []int{1, 0}}, Base: "/help/guides/x"}
	if g.Answer(2) != "/help/guides/x?path=1.0.2" || g.Back() != "/help/guides/x?path=1" {
		t.Fatalf("answer %q back %q", g.Answer(2), g.Back())
	}
	g.Path = []int{3}
	if g.Back() != "/help/guides/x" {
		t.Fatalf("back to the start: %q", g.Back())
	}
	g.Path = nil
	if g.Back() != "" || g.Answer(0) != "/help/guides/x?path=0" {
		t.Fatalf("at the start: %q %q", g.Back(), g.Answer(0))
	}
}
