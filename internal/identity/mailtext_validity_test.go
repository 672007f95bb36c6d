package identity

import (
	"strings"
	"testing"
)

// A code's validity is written as people say it: the verification e-mail
// said "valid for 1440 minutes".
func TestMailValidityInHumanUnits(t *testing.T) {
	for _, c := range []struct {
		locale  string
		minutes int
		want    string
	}{
		{"en", 15, "15 minutes"}, {"en", 1, "1 minute"}, {"en", 60, "1 hour"}, {"en", 1440, "24 hours"},
		{"en", 90, "90 minutes"}, {"en", 7 * 1440, "7 days"}, {"vi", 1440, "24 giờ"}, {"zh", 1440, "24 小时"}, {"zh", 10, "10 分钟"},
	} {
		if got := validity(c.locale, c.minutes); got != c.want {
			t.Errorf("validity(%s, %d) = %q, want %q", c.locale, c.minutes, got, c.want)
		}
	}
	for _, l := range []string{"en", "vi", "zh"} {
		m := mailText(l, "verify", mailArgs{Code: "123456", Minutes: 1440})
		if strings.Contains(m.body, "1440") || !strings.Contains(m.body, "24 ") {
			t.Errorf("%s verification e-mail: %s", l, m.body)
		}
	}
}
