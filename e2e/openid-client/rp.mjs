// An independent relying party: openid-client (certified), driven by
// e2e/oidc_node_test.go. It discovers the provider, prints the
// authorization URL (PKCE S256, state, nonce), reads the callback URL the
// test's browser reached from stdin, redeems the code, verifies the ID
// token, calls userinfo, refreshes, and uses the old refresh token again;
// it prints what it saw as one JSON line.
import * as client from 'openid-client';
import readline from 'node:readline';

const [issuer, clientId, clientSecret, redirectUri] = process.argv.slice(2);
const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const failure = (e) => e?.error || e?.code || String(e);

const auth = clientSecret ? client.ClientSecretBasic(clientSecret) : client.None();
const config = await client.discovery(new URL(issuer), clientId, undefined, auth, { execute: [client.allowInsecureRequests] });
const verifier = client.randomPKCECodeVerifier();
const state = client.randomState();
const nonce = client.randomNonce();
const url = client.buildAuthorizationUrl(config, {
  redirect_uri: redirectUri, scope: 'openid email profile offline_access', state, nonce,
  code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
});
out({ authorize: url.href });

const callback = (await lines.next()).value;
const tokens = await client.authorizationCodeGrant(config, new URL(callback),
  { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
const claims = tokens.claims();
const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
let reuse = 'accepted';
try { await client.refreshTokenGrant(config, tokens.refresh_token); } catch (e) { reuse = failure(e); }
let after = 'accepted';
try { await client.refreshTokenGrant(config, refreshed.refresh_token); } catch (e) { after = failure(e); }
out({ claims, userinfo, rotated: !!refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token, reuse, after });
