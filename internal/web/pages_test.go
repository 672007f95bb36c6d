package web

import "testing"

// Every catalog has every key of the English one.
func TestCatalogsComplete(t *testing.T) {
	p, err := LoadPages()
	if err != nil {
		t.Fatal(err)
	}
	for lang, cat := range p.catalogs {
		for key := range p.catalogs["en"] {
			if _, ok := cat[key]; !ok {
				t.Errorf("%s lacks %q", lang, key)
			}
		}
	}
}
