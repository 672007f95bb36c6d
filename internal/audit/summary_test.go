package audit_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/frontdesk/frontdesk/internal/audit"
)

// The console's "verify chain" button runs the check of `frontdesk audit
// verify` and shows its one-line result (PCI DSS 10.3.4, ASVS 16.4.2).
func TestReportSummary(t *testing.T) {
	f := setup(t, 4)
	f.record(t, 10)
	if got, want := f.verify(t).Summary(), "audit chain intact: 10 entries, 2 signed checkpoints"; got != want {
		t.Errorf("Summary() = %q, want %q", got, want)
	}
	f.attacker(t, `UPDATE audit_log SET target = 'account:other' WHERE seq = 6`)
	r, err := audit.Verify(context.Background(), f.d, f.signer, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Summary(), "audit chain broken at sequence 6: entry 6 was modified (its hash does not match its content)"; got != want {
		t.Errorf("Summary() = %q, want %q", got, want)
	}
}

func ExampleReport_Summary() {
	fmt.Println(audit.Report{Entries: 1200, Checkpoints: 1}.Summary())
	fmt.Println(audit.Report{Entries: 1200, FirstBroken: 5, Problem: "entry 5 was modified (its hash does not match its content)"}.Summary())
	// Output:
	// audit chain intact: 1200 entries, 1 signed checkpoints
	// audit chain broken at sequence 5: entry 5 was modified (its hash does not match its content)
}
