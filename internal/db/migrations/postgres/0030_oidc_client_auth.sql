-- How each OpenID Connect client authenticates (internal/oidc/clients.go):
-- client_secret_basic, client_secret_post, private_key_jwt or none (a
-- public client). A private_key_jwt client registers its public keys as
-- an inline JWK set (jwks, public keys only: nothing secret is stored).
ALTER TABLE oidc_clients ADD COLUMN auth_method TEXT NOT NULL DEFAULT '';
ALTER TABLE oidc_clients ADD COLUMN jwks TEXT NOT NULL DEFAULT '';

-- The jti of every client assertion (RFC 7523) accepted, until it
-- expires: the same assertion presented again is refused.
CREATE TABLE oidc_client_assertions (
	client_id  TEXT NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
	jti        TEXT NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (client_id, jti)
);
CREATE INDEX oidc_client_assertions_expiry ON oidc_client_assertions (expires_at);
