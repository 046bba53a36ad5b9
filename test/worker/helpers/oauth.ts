import { approveWithKey } from '../../support/consent-form.ts';
import { ORIGIN, workerFetch } from './worker.ts';

/**
 * The whole OAuth flow against the Worker, by hand with fetch: dynamic registration, PKCE S256,
 * the consent form with a Luma key, and the code exchange. Returns a real access token.
 */
export interface RegisteredClient {
  clientId: string;
  redirectUri: string;
}

/** Registers a public client at `origin` (dynamic client registration). */
export async function registerClient(name = 'Test client', origin = ORIGIN): Promise<RegisteredClient> {
  const redirectUri = 'http://127.0.0.1:33418/callback';
  const response = await workerFetch(`${origin}/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_name: name, redirect_uris: [redirectUri], token_endpoint_auth_method: 'none' }),
  });
  if (response.status !== 201) throw new Error(`registration failed: HTTP ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { client_id: string };
  return { clientId: body.client_id, redirectUri };
}

export async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return { verifier, challenge: base64url(new Uint8Array(digest)) };
}

export interface AuthorizationOptions {
  /** Where the authorization server is; default {@link ORIGIN}. */
  origin?: string;
  /** `null`: send no `state`. */
  state?: string | null;
  /** The RFC 8707 resource; default the origin itself; `null`: send none. */
  resource?: string | null;
  scope?: string;
}

/** The authorization request an MCP client would send the person's browser to. */
export function authorizationUrl(client: RegisteredClient, challenge: string, options: AuthorizationOptions = {}): URL {
  const origin = options.origin ?? ORIGIN;
  const state = options.state === undefined ? 'state-123' : options.state;
  const resource = options.resource === undefined ? origin : options.resource;
  const url = new URL('/authorize', origin);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...(state === null ? {} : { state }),
    ...(resource === null ? {} : { resource }),
    ...(options.scope ? { scope: options.scope } : {}),
  }).toString();
  return url;
}

export async function exchangeCode(client: RegisteredClient, code: string, verifier: string): Promise<Response> {
  return workerFetch('/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirectUri,
      client_id: client.clientId,
      code_verifier: verifier,
      resource: ORIGIN,
    }).toString(),
  });
}

/** Registration, consent with `lumaApiKey`, code exchange: an access token for that key's user. */
export async function connectAs(lumaApiKey: string, clientName?: string): Promise<{ accessToken: string; client: RegisteredClient }> {
  const client = await registerClient(clientName);
  const { verifier, challenge } = await pkcePair();
  const redirect = await approveWithKey(authorizationUrl(client, challenge), lumaApiKey, workerFetch);
  const code = redirect.searchParams.get('code');
  if (!code) throw new Error(`no code in redirect: ${redirect.searchParams.get('error') ?? 'unknown'}`);
  const response = await exchangeCode(client, code, verifier);
  if (!response.ok) throw new Error(`token exchange failed: HTTP ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { access_token: string };
  return { accessToken: body.access_token, client };
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
