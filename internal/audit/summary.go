package audit

import "fmt"

// Summary says in one line what Verify found, in the words of
// `frontdesk audit verify`, for the staff console's "verify chain" button
// (PCI DSS 10.3.4: audit log integrity is checked; ASVS 16.4.2).
func (r Report) Summary() string {
	if !r.OK() {
		return fmt.Sprintf("audit chain broken at sequence %d: %s", r.FirstBroken, r.Problem)
	}
	return fmt.Sprintf("audit chain intact: %d entries, %d signed checkpoints", r.Entries, r.Checkpoints)
}
