package portal

import "testing"

// ASVS 3.7.2: the destination after sign-in or step-up never leaves the
// site, whatever a browser makes of the bytes in it.
func TestSafeNext(t *testing.T) {
	bypasses := []string{
		"",
		"/\t/evil.example/",
		"/\t/evil.example",
		"/%09/evil.example/",
		"/\r/evil.example",
		"/\n/evil.example",
		"/%0d/evil.example",
		"/%0a/evil.example",
		"/%0D%0ALocation:%20https://evil.example",
		"/\r\nLocation: https://evil.example",
		"//evil.example",
		"///evil.example",
		"////evil.example/",
		"/\\evil.example",
		"/\\\\evil.example",
		"\\/\\/evil.example",
		"\\\\evil.example",
		"/%5Cevil.example",
		"/%5C%5Cevil.example",
		"/%2F%2Fevil.example",
		"/%2fevil.example",
		"/%2F/evil.example",
		"/\t\\evil.example",
		" //evil.example",
		" /evil",
		"\t//evil.example",
		"\x00//evil.example",
		"/\x00/evil.example",
		"/\x7f/evil.example",
		"/\u00a0/evil.example",
		"https://evil.example",
		"https:evil.example",
		"https:/evil.example",
		"http://evil.example/account",
		"HTTPS://evil.example",
		"javascript:alert(1)",
		"JavaScript:alert(1)",
		"data:text/html,<script>alert(1)</script>",
		"evil.example",
		"account/security",
		"./evil",
		"@evil.example",
		"//user@evil.example",
		"/\t/user:pw@evil.example",
	}
	for _, next := range bypasses {
		if got := safeNext(next); got != defaultNext {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, defaultNext)
		}
	}
	legitimate := []string{
		"/account/security",
		"/help/x?q=1#a",
		"/account/sessions",
		"/console/customers/acc_123?tab=history",
		"/help/search?q=%E1%BA%A1+b&lang=vi",
		"/account/reauth?next=%2Faccount%2Fsecurity",
		"/",
	}
	for _, next := range legitimate {
		if got := safeNext(next); got != next {
			t.Errorf("safeNext(%q) = %q, want it kept", next, got)
		}
	}
}

// FuzzSafeNext checks that whatever safeNext lets through is a path on
// this origin once a browser has stripped what it strips.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/account", "/\t/x", "//x", "/\\x", "/%2F%2Fx", "https://x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if got == defaultNext {
			return
		}
		if got[0] != '/' || len(got) > 1 && (got[1] == '/' || got[1] == '\\') || unsafeInURL(got) {
			t.Fatalf("safeNext(%q) = %q", next, got)
		}
	})
}
