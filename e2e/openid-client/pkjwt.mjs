// An independent relying party authenticating with private_key_jwt and
// receiving the code by response_mode=form_post: openid-client (certified),
// driven by e2e/oidc_pkjwt_test.go. Arguments: issuer, client id, redirect
// URI, the client's private key as a JWK (P-256, with its kid). It prints
// the authorization URL, reads the form the browser posted to the redirect
// URI (urlencoded) from stdin, redeems the code (signing a client
// assertion), introspects the access token, revokes the refresh token and
// tries it again; it prints what it saw as one JSON line.
import * as client from 'openid-client';
import readline from 'node:readline';

const [issuer, clientId, redirectUri, jwkText] = process.argv.slice(2);
const jwk = JSON.parse(jwkText);
const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const failure = (e) => e?.error || e?.code || String(e);

const key = await crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
const config = await client.discovery(new URL(issuer), clientId, undefined, client.PrivateKeyJwt({ key, kid: jwk.kid }),
  { execute: [client.allowInsecureRequests] });
const verifier = client.randomPKCECodeVerifier();
const state = client.randomState();
const nonce = client.randomNonce();
const url = client.buildAuthorizationUrl(config, {
  redirect_uri: redirectUri, scope: 'openid email offline_access', state, nonce, response_mode: 'form_post',
  code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
});
out({ authorize: url.href, modes: config.serverMetadata().response_modes_supported,
  methods: config.serverMetadata().token_endpoint_auth_methods_supported });

const posted = (await lines.next()).value;
const request = new Request(redirectUri, { method: 'POST', body: posted,
  headers: { 'content-type': 'application/x-www-form-urlencoded' } });
const tokens = await client.authorizationCodeGrant(config, request,
  { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
const claims = tokens.claims();
const introspected = await client.tokenIntrospection(config, tokens.access_token);
await client.tokenRevocation(config, tokens.refresh_token, { token_type_hint: 'refresh_token' });
let afterRevoke = 'accepted';
try { await client.refreshTokenGrant(config, tokens.refresh_token); } catch (e) { afterRevoke = failure(e); }
out({ claims, active: introspected.active, afterRevoke });
