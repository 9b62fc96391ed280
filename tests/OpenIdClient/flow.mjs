// The stock openid-client (v6) against a pool's hosted OpenID Connect provider: code flow with PKCE, refresh with
// rotation, reuse detection, revocation and RP-initiated logout. Run by tests/FunctionalTests/HostedLogin/OpenIdClientTests.cs:
//   node flow.mjs start                                  -> {url, verifier, state, nonce}
//   node flow.mjs finish CALLBACK VERIFIER STATE NONCE   -> what each step answered
// Environment: ISSUER, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, LOGOUT_URI.
import * as client from 'openid-client';

const { ISSUER, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, LOGOUT_URI } = process.env;
const config = await client.discovery(new URL(ISSUER), CLIENT_ID, CLIENT_SECRET, undefined,
  ISSUER.startsWith('http:') ? { execute: [client.allowInsecureRequests] } : undefined);

async function failure(promise) {
  try { await promise; return null; } catch (e) { return e.error ?? e.code ?? String(e); }
}

const [, , phase, ...args] = process.argv;
if (phase === 'start') {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI, scope: 'openid profile offline_access', state, nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  console.log(JSON.stringify({ url: url.href, verifier, state, nonce }));
} else if (phase === 'finish') {
  const [callback, verifier, state, nonce] = args;
  const tokens = await client.authorizationCodeGrant(config, new URL(callback),
    { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  const first = tokens.refresh_token;
  const refreshed = await client.refreshTokenGrant(config, first);
  const second = refreshed.refresh_token;
  const claims = refreshed.claims();
  const reused = await failure(client.refreshTokenGrant(config, first));
  const afterReuse = await failure(client.refreshTokenGrant(config, second));

  // A second family to revoke: a refresh of it works before the revocation and fails after.
  const logout = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token, post_logout_redirect_uri: LOGOUT_URI, state: 'bye' });
  console.log(JSON.stringify({
    sub: tokens.claims().sub, refreshedSub: claims.sub, authTime: tokens.claims().auth_time, refreshedAuthTime: claims.auth_time,
    rotated: first !== second, reused, afterReuse, logout: logout.href,
  }));
} else if (phase === 'revoke') {
  const [callback, verifier, state, nonce] = args;
  const tokens = await client.authorizationCodeGrant(config, new URL(callback),
    { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  await client.tokenRevocation(config, refreshed.refresh_token, { token_type_hint: 'refresh_token' });
  const afterRevocation = await failure(client.refreshTokenGrant(config, refreshed.refresh_token));
  console.log(JSON.stringify({ afterRevocation }));
} else {
  throw new Error('usage: node flow.mjs start | finish CALLBACK VERIFIER STATE NONCE | revoke CALLBACK VERIFIER STATE NONCE');
}
