import * as client from 'openid-client';

/** OpenID Connect against the campus identity provider. */
export interface OidcOptions {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  /** Scopes to ask for; `openid` is always included. */
  scope?: string;
  /** The claim that is the person's id (学号/工号); `sub` by default. */
  idClaim?: string;
  /** Person attributes from claims: our name → the claim's name, e.g. `{ name: name, college: dept_code }`. */
  claims: Record<string, string>;
}

export interface OidcLogin {
  url: string;
  state: string;
  nonce: string;
  verifier: string;
}

/**
 * The provider's configuration, discovered once. Plain-http issuers are accepted only on loopback (a
 * provider started inside a test); any other must be https.
 */
export async function discoverOidc(options: OidcOptions): Promise<client.Configuration> {
  const issuer = new URL(options.issuer);
  const loopback = issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
  return client.discovery(issuer, options.clientId, options.clientSecret, options.clientSecret ? client.ClientSecretPost(options.clientSecret) : client.None(), loopback ? { execute: [client.allowInsecureRequests] } : undefined);
}

/** Where to send the browser, with a fresh state, nonce and PKCE verifier to keep until the callback. */
export async function startOidcLogin(config: client.Configuration, options: OidcOptions, redirectUri: string): Promise<OidcLogin> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: ['openid', ...(options.scope ?? 'profile email').split(/\s+/).filter((s) => s && s !== 'openid')].join(' '),
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { url: url.href, state, nonce, verifier };
}

/** Exchange the code (checking state, nonce and PKCE), read the user's claims and map them. */
export async function finishOidcLogin(
  config: client.Configuration,
  options: OidcOptions,
  callbackUrl: URL,
  login: Pick<OidcLogin, 'state' | 'nonce' | 'verifier'>,
): Promise<{ ok: true; id: string; attributes: Record<string, string> } | { ok: false; reason: string }> {
  try {
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: login.verifier, expectedState: login.state, expectedNonce: login.nonce, idTokenExpected: true });
    const idToken = tokens.claims()!;
    const info = await client.fetchUserInfo(config, tokens.access_token, idToken.sub);
    const claims: Record<string, unknown> = { ...idToken, ...info };
    const id = claims[options.idClaim ?? 'sub'];
    if (typeof id !== 'string' || !id) return { ok: false, reason: `身份令牌中没有 ${options.idClaim ?? 'sub'} / no ${options.idClaim ?? 'sub'} claim` };
    const attributes: Record<string, string> = {};
    for (const [ours, theirs] of Object.entries(options.claims)) {
      const value = claims[theirs];
      if (typeof value === 'string' && value.trim()) attributes[ours] = value.trim();
    }
    return { ok: true, id, attributes };
  } catch (error) {
    const e = error as { error?: string; message?: string };
    return { ok: false, reason: e.error ?? e.message ?? String(error) };
  }
}
