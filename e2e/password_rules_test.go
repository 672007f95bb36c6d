package e2e

import (
	"io"
	"strings"
	"testing"
)

// Under the pci profile every password rule is listed beside the new
// password before the first attempt (they came one failure at a time),
// in each language; the default profile's hint says it all and lists none.
func TestPCIPasswordRulesShownAtOnce(t *testing.T) {
	vars := map[string]string{"FRONTDESK_POLICY_PROFILE": "pci"}
	for k, v := range fastHashing {
		vars[k] = v
	}
	fd := Start(t, vars)
	for lang, want := range map[string][]string{
		"en": {"at least 12 characters", "a capital letter", "a lower-case letter", "a digit", "a symbol"},
		"vi": {"ít nhất 12 ký tự", "một chữ in hoa", "một chữ thường", "một chữ số", "một ký hiệu"},
		"zh": {"至少 12 个字符", "一个大写字母", "一个小写字母", "一个数字", "一个符号"},
	} {
		for _, page := range []string{"/signup", "/reset?token=x"} {
			res := fd.Get(t, page+langParam(page)+lang)
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			body := string(b)
			if page == "/reset?token=x" && !strings.Contains(body, `id="password"`) {
				continue // an unusable link shows no password field
			}
			if !strings.Contains(body, `id="password-rules"`) {
				t.Fatalf("%s (%s): no rules", page, lang)
			}
			for _, w := range want {
				if !strings.Contains(body, w) {
					t.Errorf("%s (%s): rule %q not listed", page, lang, w)
				}
			}
		}
	}
	checkPage(t, Browser(t), fd.URL+"/signup", "signup-pci")

	plain := Start(t, fastHashing)
	res := plain.Get(t, "/signup")
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if strings.Contains(string(b), `id="password-rules"`) {
		t.Error("the default profile lists rules")
	}
}

func langParam(page string) string {
	if strings.Contains(page, "?") {
		return "&lang="
	}
	return "?lang="
}
