package privacy

import "testing"

// A subject condition for one account becomes one for a batch: its single
// comparison turns into an IN list, wherever it stands; a condition of
// another shape is refused rather than rewritten wrongly.
func TestSubjectIn(t *testing.T) {
	for _, c := range []struct{ cond, want string }{
		{"account_id = ?", "account_id IN (?, ?, ?)"},
		{"subject = 'account:' || ?", "subject IN ('account:' || ?, 'account:' || ?, 'account:' || ?)"},
		{"conversation_id IN (SELECT c.id FROM conversations c JOIN support_contacts k ON k.id = c.contact_id WHERE k.account_id = ?)",
			"conversation_id IN (SELECT c.id FROM conversations c JOIN support_contacts k ON k.id = c.contact_id WHERE k.account_id IN (?, ?, ?))"},
	} {
		got, err := subjectIn(c.cond, 3)
		if err != nil || got != c.want {
			t.Errorf("subjectIn(%q, 3) = %q, %v; want %q", c.cond, got, err, c.want)
		}
		if one, err := subjectIn(c.cond, 1); err != nil || one != c.cond {
			t.Errorf("subjectIn(%q, 1) = %q, %v; want it unchanged", c.cond, one, err)
		}
	}
	for _, bad := range []string{"account_id IS NOT NULL", "a = ? OR b = ?", "account_id > ?", "lower(email) = lower(?)"} {
		if got, err := subjectIn(bad, 3); err == nil {
			t.Errorf("subjectIn(%q) = %q, want an error", bad, got)
		}
	}
}
