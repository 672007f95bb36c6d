package backup

import pd "github.com/frontdesk/frontdesk/internal/personaldata"

// PersonalData declares the backup tables and files for the registry.
func PersonalData() pd.Set {
	return pd.Set{Owner: "internal/backup", Tables: []pd.Table{
		{Name: "erasure_ledger", Subject: "subject = 'account:' || ?", Purpose: "Keeping erased customers erased when a backup is restored",
			Basis: pd.LegalObligation, Erasure: pd.Keep, Retention: "As long as any backup taken before the erasure is kept; it holds only the account id and the time.",
			Personal: map[string]pd.Category{"subject": pd.Identity}, Other: []string{"erased_at"}},
		{Name: "backup_runs", Other: []string{"id", "kind", "backup_id", "started_at", "finished_at", "ok", "bytes", "uploaded", "detail"}},
		{Name: "backup_lease", Other: []string{"id", "holder", "until"}},
	}, Files: []pd.File{
		{Pattern: "backups/*", Category: pd.Content, Purpose: "Restoring the service after a loss", Basis: pd.LegalObligation,
			Retention: "35 daily and 12 weekly backups by default (FRONTDESK_BACKUP_KEEP_DAILY, _WEEKLY).",
			Erasure:   "Sealed data in a backup is unreadable once the customer's data key is destroyed; the erasure ledger destroys it again in any restored copy."},
	}}
}
