package oidc

import (
	pd "github.com/frontdesk/frontdesk/internal/personaldata"
)

// PersonalData declares what the provider keeps about customers (see
// internal/personaldata): which apps they signed in to, with which
// session, and when; consents; the hashes of their tokens. Claims are
// never stored: they are read from the sealed profile when asked for.
func PersonalData() pd.Set {
	const signIn = "Signing the customer in to the business's apps (OpenID Connect)"
	const kept = "Until the request, token or session expires (at most the client's refresh lifetime); erased with the account."
	return pd.Set{Owner: "internal/oidc", Tables: []pd.Table{
		{Name: "oidc_clients", Other: []string{"id", "name", "logo_url", "secret_hash", "public", "first_party", "redirect_uris",
			"post_logout_redirect_uris", "backchannel_logout_uri", "scopes", "access_token_type", "access_ttl_seconds",
			"refresh_ttl_seconds", "id_token_ttl_seconds", "created_at", "updated_at", "auth_method", "jwks", "jwks_uri"}},
		{Name: "oidc_client_assertions", Other: []string{"client_id", "jti", "expires_at"}},
		{Name: "oidc_keys", Other: []string{"id", "alg", "private_sealed", "created_at", "retired_at", "expires_at"}},
		{Name: "oidc_auth_requests", Subject: "account_id = ?", Purpose: signIn, Basis: pd.Contract, Retention: kept,
			Personal: map[string]pd.Category{"account_id": pd.Identity, "session_id": pd.SecurityLog, "auth_time": pd.SecurityLog,
				"amr": pd.SecurityLog, "acr": pd.SecurityLog, "code_hash": pd.Credential},
			Other: []string{"id", "client_id", "redirect_uri", "scopes", "state", "nonce", "response_mode", "code_challenge", "prompt",
				"max_age", "acr_values", "created_at", "expires_at", "done", "code_used_at"}},
		{Name: "oidc_tokens", Subject: "account_id = ?", Purpose: signIn, Basis: pd.Contract, Retention: kept,
			Personal: map[string]pd.Category{"account_id": pd.Identity, "session_id": pd.SecurityLog, "token_hash": pd.Credential,
				"amr": pd.SecurityLog, "auth_time": pd.SecurityLog},
			Other: []string{"id", "family_id", "kind", "client_id", "auth_request_id", "scopes", "created_at", "expires_at",
				"used_at", "revoked_at"}},
		{Name: "oidc_consents", Subject: "account_id = ?", Purpose: "Remembering which apps the customer allowed", Basis: pd.Consent,
			Retention: "Until the customer removes the app's access, or the account is erased.",
			Personal:  map[string]pd.Category{"account_id": pd.Identity, "scopes": pd.Identity, "granted_at": pd.SecurityLog},
			Other:     []string{"client_id"}},
		{Name: "oidc_rp_sessions", Subject: "account_id = ?", Purpose: "Signing the customer out of the apps when they sign out",
			Basis: pd.Contract, Retention: "Until the Frontdesk session ends.",
			Personal: map[string]pd.Category{"account_id": pd.Identity, "session_id": pd.SecurityLog},
			Other:    []string{"client_id", "created_at"}},
	}}
}
