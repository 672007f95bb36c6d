-- A private_key_jwt client may register the address where it publishes
-- its public keys (jwks_uri, https://) instead of an inline JWK set
-- (internal/oidc/jwksuri.go): one of jwks and jwks_uri is set.
ALTER TABLE oidc_clients ADD COLUMN jwks_uri TEXT NOT NULL DEFAULT '';
