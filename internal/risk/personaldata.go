package risk

import (
	"fmt"

	pd "github.com/frontdesk/frontdesk/internal/personaldata"
)

// PersonalData declares what the risk engine keeps about people (see
// internal/personaldata).
func PersonalData() pd.Set {
	const purpose = "Risk-based sign-in: challenging or blocking sign-ins unlike the account's usual ones"
	return pd.Set{Owner: "internal/risk", Tables: []pd.Table{
		{Name: "risk_places", Subject: "account_id = ?", Purpose: purpose, Basis: pd.LegitimateInterests,
			Retention: "Until the account is erased.",
			Personal: map[string]pd.Category{"account_id": pd.Identity, "kind": pd.SecurityLog, "place_key": pd.Device,
				"first_seen": pd.SecurityLog, "last_seen": pd.SecurityLog}},
		{Name: "risk_profiles", Subject: "account_id = ?", Purpose: purpose, Basis: pd.LegitimateInterests,
			Retention: "Until the account is erased.",
			AAD:       func(_ string, r pd.Row) []byte { return []byte("risk_profiles:" + fmt.Sprint(r["account_id"])) },
			Personal: map[string]pd.Category{"account_id": pd.Identity, "last_at": pd.SecurityLog, "last_sealed": pd.Device,
				"hours": pd.SecurityLog}},
		{Name: "risk_staff_activity", Purpose: "Staff monitoring: counting staff access to personal data per hour",
			Basis: pd.LegitimateInterests, Retention: "Until the staff account is erased.", Erasure: pd.Keep,
			Personal: map[string]pd.Category{"staff_id": pd.Identity, "action": pd.SecurityLog, "hour": pd.SecurityLog, "count": pd.SecurityLog}},
		{Name: "risk_alerts", Purpose: "Staff monitoring alerts worked by security officers",
			Basis: pd.LegitimateInterests, Retention: "As long as the audit trail (they are security records).", Erasure: pd.Keep,
			Personal: map[string]pd.Category{"staff_id": pd.Identity, "assignee": pd.Identity, "evidence": pd.SecurityLog, "dedupe_key": pd.SecurityLog},
			Other:    []string{"id", "rule", "severity", "status", "resolution", "created_at", "updated_at", "mailed_at"}},
		{Name: "risk_alert_notes", Purpose: "Analysts' notes on staff monitoring alerts",
			Basis: pd.LegitimateInterests, Retention: "As long as their alert.", Erasure: pd.Keep,
			Personal: map[string]pd.Category{"author_id": pd.Identity, "body": pd.Content}, Other: []string{"id", "alert_id", "at"}},
		{Name: "risk_reveal_approvals", Purpose: "Second approvals of reveals past the hourly cap",
			Basis: pd.LegitimateInterests, Retention: "As long as the audit trail.", Erasure: pd.Keep,
			Personal: map[string]pd.Category{"staff_id": pd.Identity, "approved_by": pd.Identity}, Other: []string{"approved_at", "expires_at"}},
		{Name: "risk_policies", Purpose: "Who changed the sign-in risk rules", Basis: pd.LegitimateInterests,
			Retention: "Until the rules are changed again.", Erasure: pd.Keep,
			Personal: map[string]pd.Category{"updated_by": pd.Identity}, Other: []string{"profile", "policy", "updated_at"}},
	}}
}
