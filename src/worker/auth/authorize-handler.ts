import { AuthorizationError, CimdFetchError, type AuthRequest, type OAuthHelpers } from '@cloudflare/workers-oauth-provider';
import { lumaClientSettings, readSecrets } from '../config.ts';
import type { AuthProps, Env } from '../env.ts';
import { createLumaClient } from '../../core/luma/luma-client.ts';
import { LumaError } from '../../core/luma/luma-error.ts';
import { userStoreFor } from '../user-store/user-store.ts';
import { handleAccount } from './account.ts';
import { displayClientName, STORED_NAME_CHARS } from './client-metadata.ts';
import { renderConsentPage, renderProblemPage } from './consent-page.ts';
import { admitKeyCheck, admitRequest, clientAddress, retryAfterSeconds } from './limits.ts';
import { SCOPE_DELETE, SCOPE_READ } from './scope-guard.ts';
import { userIdForLumaKey } from './user-id.ts';
import { README_PATH, landingPageResponse } from '../pages/landing-page.ts';
import { readmeResponse } from '../pages/readme.ts';

/** Longer than any real key; a bigger paste is a mistake, and is not sent to Luma. */
const MAX_KEY_LENGTH = 512;

/**
 * Everything outside the protected API and the library's endpoints: the consent page at
 * `/authorize` and a landing page. `oauth` is the library's helpers for the request's own origin.
 */
export async function handleAppPages(request: Request, env: Env, oauth: OAuthHelpers): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname === '/authorize') {
    if (request.method !== 'GET' && request.method !== 'POST') {
      return new Response('Method Not Allowed', { status: 405, headers: { Allow: 'GET, POST' } });
    }
    // Every visit can store a consent transaction: bounded per address.
    const admitted = await admitRequest(env, 'authorize', clientAddress(request));
    if (!admitted.ok) return tryAgainLater(admitted.retryAt, 'Too many sign-in attempts from your network');
    if (request.method === 'GET') return showConsent(request, oauth);
    return submitConsent(request, env, oauth);
  }
  if (url.pathname === '/account' || url.pathname.startsWith('/account/')) {
    const admitted = await admitRequest(env, 'authorize', clientAddress(request));
    if (!admitted.ok) return tryAgainLater(admitted.retryAt, 'Too many requests from your network');
    return handleAccount(request, env, oauth);
  }
  if (url.pathname === '/' && request.method === 'GET') return landingPageResponse(url);
  if (url.pathname === README_PATH && request.method === 'GET') return readmeResponse();
  return new Response('Not Found', { status: 404 });
}

async function showConsent(request: Request, oauth: OAuthHelpers): Promise<Response> {
  try {
    const authRequest = await oauth.parseAuthRequest(request);
    return await consentResponse(oauth, authRequest);
  } catch (error) {
    return authorizationProblem(error);
  }
}

async function submitConsent(request: Request, env: Env, oauth: OAuthHelpers): Promise<Response> {
  const form = await request.formData();
  const handle = String(form.get('handle') ?? '');
  try {
    if (form.get('decision') !== 'approve') {
      const denied = await oauth.denyConsent(request, handle);
      return new Response(null, { status: 302, headers: denied.headers });
    }
    // Read-only unless the person left "delete" ticked. Never an empty scope: see scope-guard.ts.
    const scope = form.get('allow_delete') === 'yes' ? [SCOPE_READ, SCOPE_DELETE] : [SCOPE_READ];
    // Approving first proves the form came from this browser's own page (the handle is bound to
    // a __Host- cookie), so nobody can use this server to test keys against Luma cross-site.
    const approved = await oauth.approveConsent(request, handle, { scope });
    const lumaKey = String(form.get('luma_api_key') ?? '').trim();
    const malformed = keyFormatProblem(lumaKey);
    if (malformed) return consentResponse(oauth, approved.request, malformed, approved.headers);

    // At most a few wrong keys per app and per network: past that, Luma is not asked at all.
    const slot = await admitKeyCheck(env, approved.request.clientId, clientAddress(request));
    if (!slot.ok) return tryAgainLater(slot.retryAt, 'Too many keys were refused', approved.headers);
    const problem = await checkLumaKey(lumaKey, env);
    // Only a key Luma accepted is given back: a refused key counts, and so does a check whose
    // answer was lost (it may have reached Luma), so at most `limit` unsuccessful checks go out.
    if (!problem) await slot.forgive();
    if (problem) {
      // Nothing is granted: the handle is spent, so the page starts a fresh consent for the retry.
      return consentResponse(oauth, approved.request, problem.message, approved.headers);
    }
    const secrets = readSecrets(env);
    if (!secrets.ok) throw new Error('secrets missing'); // unreachable: the entry point refuses first
    const userId = await userIdForLumaKey(lumaKey, secrets.secrets.userIdSecret);
    await userStoreFor(env, userId).setLumaKey(userId, lumaKey);

    const client = await oauth.describeConsent(approved.request);
    // The name travels into every deletes-log entry: cut it here, whatever was registered.
    const clientName = displayClientName(client.clientName, STORED_NAME_CHARS);
    const props: AuthProps = { userId, clientId: approved.request.clientId, clientName };
    const { redirectTo } = await oauth.completeAuthorization({
      request: approved.request,
      userId,
      metadata: { clientName },
      scope: approved.request.scope,
      props,
    });
    approved.headers.set('Location', redirectTo);
    return new Response(null, { status: 302, headers: approved.headers });
  } catch (error) {
    return authorizationProblem(error);
  }
}

export function keyFormatProblem(lumaKey: string): string | undefined {
  if (!lumaKey) return 'Paste your Luma API key to approve, or choose Deny.';
  if (lumaKey.length > MAX_KEY_LENGTH || /\s/.test(lumaKey)) {
    return 'That does not look like a Luma API key. Copy the key again from your Luma account and paste it here.';
  }
  return undefined;
}

/** Why the pasted key cannot be used, or `undefined` when Luma accepted it. */
export async function checkLumaKey(lumaKey: string, env: Env): Promise<{ message: string } | undefined> {
  try {
    // The cheapest authenticated call: proves the key works before anything is granted. One
    // request, no retries: each check is one of the few that the limit on wrong keys allows.
    const settings = lumaClientSettings(env);
    await createLumaClient({ ...settings, apiKey: lumaKey, retry: { ...settings.retry, maxRetries: 0 } }).getCredits();
    return undefined;
  } catch (error) {
    if (error instanceof LumaError && error.kind === 'unauthorized') {
      return { message: 'Luma did not accept this API key. Check that you copied the whole key and that it has not been revoked, then try again.' };
    }
    if (error instanceof LumaError && error.kind === 'rate_limited') {
      return { message: 'Luma is rate-limiting requests right now, so the key could not be checked. Wait a moment and try again.' };
    }
    return { message: 'Luma could not be reached to check the key, so nothing was granted. Try again in a moment.' };
  }
}

/** `429` with `Retry-After` and a page that says when to try again. Nothing is granted. */
export function tryAgainLater(retryAt: number, reason: string, extraHeaders?: Headers): Response {
  const seconds = retryAfterSeconds(retryAt);
  const minutes = Math.ceil(seconds / 60);
  const at = new Date(Date.now() + seconds * 1000).toISOString().slice(11, 16);
  const response = problemPage(
    'Please wait before trying again',
    `${reason}, so nothing more is checked for now. Try again in ${minutes} minute${minutes === 1 ? '' : 's'} (after ${at} UTC), starting from your app.`,
    429,
  );
  response.headers.set('Retry-After', String(seconds));
  extraHeaders?.forEach((value, name) => {
    if (name.toLowerCase() === 'set-cookie') response.headers.append(name, value);
  });
  return response;
}

async function consentResponse(oauth: OAuthHelpers, authRequest: AuthRequest, error?: string, extraHeaders?: Headers): Promise<Response> {
  // describeConsent first: if the client lookup fails, nothing has been stored yet.
  const details = await oauth.describeConsent(authRequest);
  const consent = await oauth.beginConsent(authRequest);
  const nonce = crypto.randomUUID().replace(/-/g, '');
  const headers = new Headers(consent.headers);
  extraHeaders?.forEach((value, name) => {
    if (name.toLowerCase() === 'set-cookie') headers.append(name, value);
  });
  pageHeaders(headers, nonce, [details.redirectUri]);
  const body = renderConsentPage({ details, handle: consent.handle, error, nonce });
  return new Response(body, { status: error ? 400 : 200, headers });
}

/**
 * Strict CSP: nothing loads but our own inline style (by nonce); the form may post only here and
 * redirect only to the client's registered redirect URI (browsers apply form-action to redirects).
 */
export function pageHeaders(headers: Headers, nonce: string, redirectUris: string[] = []): void {
  const formTargets = ["'self'", ...redirectUris.map(originOf).filter((o): o is string => o !== undefined)];
  headers.set('Content-Type', 'text/html; charset=utf-8');
  headers.set(
    'Content-Security-Policy',
    `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self'; form-action ${formTargets.join(' ')}; frame-ancestors 'none'; base-uri 'none'`,
  );
  headers.set('X-Frame-Options', 'DENY');
  headers.set('X-Content-Type-Options', 'nosniff');
  headers.set('Referrer-Policy', 'no-referrer');
  headers.set('Cache-Control', 'no-store');
}

function originOf(uri: string): string | undefined {
  try {
    const url = new URL(uri);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/** Redirect to the client only when the library says it is safe; otherwise explain on our page. */
function authorizationProblem(error: unknown): Response {
  if (error instanceof AuthorizationError && error.redirectTo) {
    return new Response(null, { status: 302, headers: { Location: error.redirectTo, 'Cache-Control': 'no-store' } });
  }
  if (error instanceof AuthorizationError || error instanceof CimdFetchError) {
    const message =
      error instanceof AuthorizationError
        ? `${error.description} Start connecting again from your app.`
        : 'This app could not be verified. Start connecting again from your app.';
    return problemPage('This sign-in link cannot be used', message, 400);
  }
  throw error;
}

function problemPage(title: string, message: string, status: number): Response {
  const nonce = crypto.randomUUID().replace(/-/g, '');
  const headers = new Headers();
  pageHeaders(headers, nonce);
  return new Response(renderProblemPage(title, message, nonce), { status, headers });
}
