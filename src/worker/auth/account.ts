import type { GrantSummary, OAuthHelpers } from '@cloudflare/workers-oauth-provider';
import { readSecrets } from '../config.ts';
import type { Env } from '../env.ts';
import { userStoreFor } from '../user-store/user-store.ts';
import { checkLumaKey, keyFormatProblem, pageHeaders, tryAgainLater } from './authorize-handler.ts';
import { displayClientName } from './client-metadata.ts';
import { escapeHtml, STYLES } from './consent-page.ts';
import { admitKeyCheck, clientAddress } from './limits.ts';
import { SCOPE_DELETE } from './scope-guard.ts';
import { userIdForLumaKey } from './user-id.ts';

/**
 * `/account`: a person proves they hold their Luma key (checked with Luma, under the same limits as
 * the consent page), then sees the apps connected with it, disconnects one or all (their tokens stop
 * working at once), or erases everything this server holds about them.
 *
 * Care as on the consent page: a strict CSP with a nonce, no framing, `no-store`. Every form
 * carries a CSRF token that must match a `__Host-` cookie, and a cross-site `Origin` or
 * `Sec-Fetch-Site` is refused. The signed-in state is a short-lived `__Host-` cookie, HttpOnly and
 * SameSite=Strict, holding the opaque user ID and an HMAC under `USER_ID_SECRET`: never the key.
 */
const SESSION_COOKIE = '__Host-luma-account';
const CSRF_COOKIE = '__Host-luma-account-csrf';
const SESSION_SECONDS = 15 * 60;
/** More grants than any person has; the listing stops there. */
const MAX_GRANTS = 500;

export async function handleAccount(request: Request, env: Env, oauth: OAuthHelpers): Promise<Response> {
  const path = new URL(request.url).pathname;
  const secret = userIdSecret(env);
  if (request.method === 'GET' && path === '/account') {
    const userId = await signedInUser(request, secret);
    return userId ? appsPage(request, env, oauth, userId) : signInPage(request);
  }
  if (request.method !== 'POST') return new Response('Method Not Allowed', { status: 405, headers: { Allow: path === '/account' ? 'GET' : 'POST' } });
  const form = await request.formData();
  if (!(await sameSitePost(request, form))) return page(request, 'This form cannot be used', '<p>Open the account page again and retry from there.</p>', 403);
  if (path === '/account/sign-in') return signIn(request, env, form, secret);

  const userId = await signedInUser(request, secret);
  if (!userId) return redirect('/account');
  if (path === '/account/revoke') return revoke(env, oauth, userId, form);
  if (path === '/account/erase') return erase(request, env, oauth, userId, form);
  if (path === '/account/sign-out') return redirect('/account', [expiredCookie(SESSION_COOKIE)]);
  return new Response('Not Found', { status: 404 });
}

async function signIn(request: Request, env: Env, form: FormData, secret: string): Promise<Response> {
  const lumaKey = String(form.get('luma_api_key') ?? '').trim();
  const malformed = keyFormatProblem(lumaKey);
  if (malformed) return signInPage(request, malformed, 400);
  const slot = await admitKeyCheck(env, undefined, clientAddress(request));
  if (!slot.ok) return tryAgainLater(slot.retryAt, 'Too many keys were refused');
  const problem = await checkLumaKey(lumaKey, env);
  if (problem) return signInPage(request, problem.message, 400);
  await slot.forgive();
  const userId = await userIdForLumaKey(lumaKey, secret);
  return redirect('/account', [await sessionCookie(userId, secret)]);
}

async function revoke(env: Env, oauth: OAuthHelpers, userId: string, form: FormData): Promise<Response> {
  const grants = await userGrants(oauth, userId);
  const wanted = form.get('all') === 'yes' ? grants : grants.filter((grant) => grant.id === form.get('grant_id'));
  await revokeGrants(env, oauth, userId, wanted);
  return redirect(`/account?disconnected=${wanted.length}`);
}

async function erase(request: Request, env: Env, oauth: OAuthHelpers, userId: string, form: FormData): Promise<Response> {
  if (form.get('confirm') !== 'erase') return redirect('/account?erase=unconfirmed');
  await revokeGrants(env, oauth, userId, await userGrants(oauth, userId));
  await userStoreFor(env, userId).erase(userId);
  const response = page(
    request,
    'Everything is erased',
    '<p>Your stored Luma key, your deletes log, your settings and every app connected with your key are gone from this server. Your generations at Luma are untouched. Connect an app again to use this server.</p>',
    200,
  );
  response.headers.append('Set-Cookie', expiredCookie(SESSION_COOKIE));
  return response;
}

async function revokeGrants(env: Env, oauth: OAuthHelpers, userId: string, grants: GrantSummary[]): Promise<void> {
  for (const grant of grants) {
    await oauth.revokeGrant(grant.id, userId);
    await env.OAUTH_KV.delete(lastUsedKey(userId, grant.id));
  }
}

async function userGrants(oauth: OAuthHelpers, userId: string): Promise<GrantSummary[]> {
  const grants: GrantSummary[] = [];
  let cursor: string | undefined;
  do {
    const pageOfGrants = await oauth.listUserGrants(userId, { limit: 100, cursor });
    grants.push(...pageOfGrants.items);
    cursor = pageOfGrants.cursor;
  } while (cursor && grants.length < MAX_GRANTS);
  return grants;
}

// --- last use ------------------------------------------------------------------------------------

/** Written at most this often per app, so that using an app costs a KV write rarely. */
const LAST_USED_GRANULARITY_MS = 5 * 60_000;

function lastUsedKey(userId: string, grantId: string): string {
  return `app-last-used:${userId}:${grantId}`;
}

/** Notes that the app holding `token` was just used (for the account page). Never throws. */
export async function recordUse(env: Pick<Env, 'OAUTH_KV'>, token: string, now = Date.now()): Promise<void> {
  const [userId, grantId] = token.split(':');
  if (!userId || !grantId) return;
  try {
    const key = lastUsedKey(userId, grantId);
    const last = Number(await env.OAUTH_KV.get(key));
    if (Number.isFinite(last) && now - last < LAST_USED_GRANULARITY_MS) return;
    await env.OAUTH_KV.put(key, String(now), { expirationTtl: 31 * 24 * 3600 });
  } catch {
    console.warn('account: recording when an app was last used failed');
  }
}

// --- pages -------------------------------------------------------------------------------------------

function signInPage(request: Request, error?: string, status = 200): Response {
  const { token, setCookie } = csrfFor(request);
  const body = `
  <p>Paste your Luma API key to see the apps connected with it, disconnect them, or erase what this server holds about you. The key is checked with Luma and not stored by this page.</p>
  ${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
  <form method="post" action="/account/sign-in" autocomplete="off">
    <input type="hidden" name="csrf" value="${escapeHtml(token)}">
    <label for="luma_api_key">Your Luma API key</label>
    <input id="luma_api_key" name="luma_api_key" type="password" autocomplete="off" spellcheck="false" placeholder="luma-…">
    <div class="actions"><button type="submit" class="primary">Continue</button></div>
  </form>`;
  const response = page(request, 'Your connected apps', body, status);
  if (setCookie) response.headers.append('Set-Cookie', setCookie);
  return response;
}

async function appsPage(request: Request, env: Env, oauth: OAuthHelpers, userId: string): Promise<Response> {
  const { token, setCookie } = csrfFor(request);
  const csrf = `<input type="hidden" name="csrf" value="${escapeHtml(token)}">`;
  const grants = (await userGrants(oauth, userId)).sort((a, b) => b.createdAt - a.createdAt);
  const lastUsed = await Promise.all(grants.map((grant) => env.OAUTH_KV.get(lastUsedKey(userId, grant.id))));
  const rows = grants
    .map((grant, index) => {
      const name = displayClientName(typeof grant.metadata?.clientName === 'string' ? grant.metadata.clientName : grant.clientId);
      const used = lastUsed[index] ? formatTime(Number(lastUsed[index])) : 'not yet';
      const access = grant.scope.includes(SCOPE_DELETE) || grant.scope.length === 0 ? 'see and delete' : 'see only';
      return `<li class="app">
      <p><strong class="client">${escapeHtml(name)}</strong> <span class="muted small">(${access})</span></p>
      <p class="muted small">Access sent to <code>${escapeHtml(redirectHost(grant.redirectUri))}</code> · connected ${formatTime(grant.createdAt * 1000)} · last used ${used}</p>
      <form method="post" action="/account/revoke">${csrf}<input type="hidden" name="grant_id" value="${escapeHtml(grant.id)}"><button type="submit" class="secondary">Disconnect</button></form>
    </li>`;
    })
    .join('\n');
  const notice = new URL(request.url).searchParams.get('disconnected');
  const body = `
  ${notice !== null && /^\d+$/.test(notice) ? `<p class="warn" role="status">Disconnected ${notice} app${notice === '1' ? '' : 's'}: their tokens no longer work.</p>` : ''}
  ${grants.length === 0 ? '<p>No apps are connected with this key.</p>' : `<ul class="apps">${rows}</ul>
  <form method="post" action="/account/revoke">${csrf}<input type="hidden" name="all" value="yes"><div class="actions"><button type="submit" class="secondary">Disconnect all</button></div></form>`}
  <h2>Erase everything</h2>
  <p class="muted">Disconnects every app and deletes your stored Luma key, your deletes log and your settings from this server. Your generations at Luma are not touched.</p>
  <form method="post" action="/account/erase">${csrf}
    <label class="check"><input type="checkbox" name="confirm" value="erase"> <span>Yes, erase everything this server holds about me</span></label>
    <div class="actions"><button type="submit" class="primary">Erase</button></div>
  </form>
  <form method="post" action="/account/sign-out">${csrf}<div class="actions"><button type="submit" class="secondary">Sign out</button></div></form>`;
  const response = page(request, 'Your connected apps', body, 200);
  if (setCookie) response.headers.append('Set-Cookie', setCookie);
  return response;
}

function page(request: Request, title: string, body: string, status: number): Response {
  void request;
  const nonce = crypto.randomUUID().replace(/-/g, '');
  const headers = new Headers();
  pageHeaders(headers, nonce);
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style nonce="${nonce}">${STYLES}
.apps { list-style: none; padding: 0; margin: 16px 0; } .app { border: 1px solid var(--line); border-radius: 12px; padding: 10px 14px; margin-bottom: 10px; }
.app p { margin: 0 0 6px; } h2 { font-size: 17px; margin: 24px 0 6px; } form { margin: 0; }
.check { display: flex; gap: 10px; align-items: flex-start; font-weight: 400; font-size: 14px; }</style>
</head>
<body>
<main class="card">
  <p class="eyebrow">Luma Dream Machine · MCP server</p>
  <h1>${escapeHtml(title)}</h1>
  ${body}
</main>
</body>
</html>`;
  return new Response(html, { status, headers });
}

function redirect(location: string, cookies: string[] = []): Response {
  const headers = new Headers({ Location: location, 'Cache-Control': 'no-store' });
  for (const cookie of cookies) headers.append('Set-Cookie', cookie);
  return new Response(null, { status: 303, headers });
}

function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function redirectHost(uri: string | undefined): string {
  if (!uri) return 'unknown';
  try {
    return new URL(uri).host || uri.slice(0, 80);
  } catch {
    return uri.slice(0, 80);
  }
}

// --- CSRF and the signed-in cookie ---------------------------------------------------------------

function csrfFor(request: Request): { token: string; setCookie?: string } {
  const existing = readCookie(request, CSRF_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return { token: existing };
  const token = base64url(crypto.getRandomValues(new Uint8Array(32)));
  return { token, setCookie: `${CSRF_COOKIE}=${token}; Path=/; Secure; HttpOnly; SameSite=Strict` };
}

/** A form posted from this server's own page: same-site by the browser's word, and the CSRF token matches its cookie. */
async function sameSitePost(request: Request, form: FormData): Promise<boolean> {
  const origin = request.headers.get('Origin');
  const site = request.headers.get('Sec-Fetch-Site');
  if (site !== null && site !== 'same-origin') return false;
  // Our pages send no referrer, so a browser posts their forms with `Origin: null`; then only the
  // browser's own `Sec-Fetch-Site: same-origin` vouches for where the form came from.
  if (origin === 'null' ? site !== 'same-origin' : origin !== null && origin !== new URL(request.url).origin) return false;
  const cookie = readCookie(request, CSRF_COOKIE);
  const field = form.get('csrf');
  if (!cookie || typeof field !== 'string' || field.length !== cookie.length) return false;
  return timingSafeEqual(cookie, field);
}

async function sessionCookie(userId: string, secret: string): Promise<string> {
  const expires = Math.floor(Date.now() / 1000) + SESSION_SECONDS;
  const mac = await sign(`${userId}.${expires}`, secret);
  return `${SESSION_COOKIE}=${userId}.${expires}.${mac}; Path=/; Max-Age=${SESSION_SECONDS}; Secure; HttpOnly; SameSite=Strict`;
}

async function signedInUser(request: Request, secret: string): Promise<string | undefined> {
  const value = readCookie(request, SESSION_COOKIE);
  const match = value ? /^(u_[A-Za-z0-9_-]{20,64})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value) : null;
  if (!match) return undefined;
  const [, userId, expires, mac] = match;
  if (Number(expires) <= Date.now() / 1000) return undefined;
  return timingSafeEqual(await sign(`${userId}.${expires}`, secret), mac!) ? userId : undefined;
}

async function sign(message: string, secret: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  // Domain-separated from the user-ID HMAC made with the same secret.
  return base64url(new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(`account-session:${message}`))));
}

function userIdSecret(env: Env): string {
  const secrets = readSecrets(env);
  if (!secrets.ok) throw new Error('secrets missing'); // unreachable: the entry point refuses first
  return secrets.secrets.userIdSecret;
}

function readCookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get('Cookie') ?? '').split(/;\s*/)) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index) === name) return part.slice(index + 1);
  }
  return undefined;
}

function expiredCookie(name: string): string {
  return `${name}=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict`;
}

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
