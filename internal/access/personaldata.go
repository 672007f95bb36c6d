package access

import pd "github.com/frontdesk/frontdesk/internal/personaldata"

// PersonalData declares the personal data of staff roles, reveals and
// access reviews (see internal/personaldata). Its subjects are staff.
func PersonalData() pd.Set {
	const roles = "Least-privilege access for staff"
	return pd.Set{Owner: "internal/access", Tables: []pd.Table{
		{Name: "staff_roles", Subject: "account_id = ?", Purpose: roles, Basis: pd.Contract,
			Retention: "While the role is granted.",
			Personal:  map[string]pd.Category{"account_id": pd.Identity}, Other: []string{"role", "granted_by", "granted_at"}},
		{Name: "custom_roles", Other: []string{"name", "description", "created_by", "created_at"}},
		{Name: "custom_role_permissions", Other: []string{"role", "permission"}},
		{Name: "pii_reveals", Subject: "account_id = ?", Purpose: "Time-limited reveal of a customer's details to staff",
			Basis: pd.LegitimateInterests, Retention: "Until the reveal expires.",
			Personal: map[string]pd.Category{"account_id": pd.Identity}, Other: []string{"staff_id", "expires_at"}},
		{Name: "access_reviews", Other: []string{"id", "status", "started_by", "started_at", "deadline", "closed_at"}},
		{Name: "access_review_items", Subject: "account_id = ?", Purpose: "Evidence that staff access was reviewed",
			Basis: pd.LegalObligation, Retention: "As long as the audit trail.", Erasure: pd.Keep,
			Personal: map[string]pd.Category{"account_id": pd.Identity, "reason": pd.Content},
			Other:    []string{"review_id", "role", "decision", "reviewer_id", "decided_at"}},
	}}
}
