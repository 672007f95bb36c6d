package keyring

import pd "github.com/frontdesk/frontdesk/internal/personaldata"

// PersonalData declares the keyring's tables (see internal/personaldata).
// A destroyed key's row stays, without its key, so that the subject never
// silently gets a fresh key.
func PersonalData() pd.Set {
	return pd.Set{Owner: "internal/keyring", Tables: []pd.Table{
		{Name: "data_keys", Subject: "subject = 'account:' || ?", Purpose: "Encrypting each customer's data with a key of its own",
			Basis: pd.LegalObligation, Erasure: pd.Shred, Retention: "The key until erasure; then only the fact that it was destroyed.",
			Personal: map[string]pd.Category{"subject": pd.Identity, "wrapped": pd.Credential},
			Other:    []string{"id", "master_key_id", "created_at", "destroyed_at"}},
		{Name: "keyring_state", Other: []string{"id", "active_master_id"}},
	}}
}
