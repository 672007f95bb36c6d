package db

import pd "github.com/frontdesk/frontdesk/internal/personaldata"

// PersonalData declares the migrations table, which holds nothing personal.
func PersonalData() pd.Set {
	return pd.Set{Owner: "internal/db", Tables: []pd.Table{
		{Name: "schema_migrations", Other: []string{"version", "name", "applied_at"}},
	}}
}
