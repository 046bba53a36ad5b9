/**
 * Plays the person at the consent page, with plain `fetch`: opens the authorization URL the MCP
 * client produced, reads the form's handle and the browser-binding cookie, and submits the form.
 * Web-standard only, so both the in-Worker tests and the Node end-to-end tests use it.
 */
export interface ConsentPage {
  status: number;
  html: string;
  handle: string;
  /** The cookies a browser would send back with the form. */
  cookie: string;
  /** Whether the page offers deleting already ticked (a browser would then send it). */
  deleteTicked: boolean;
}

export type FetchLike = (input: string | Request, init?: RequestInit) => Promise<Response>;

export async function openConsentPage(authorizationUrl: string | URL, fetchFn: FetchLike = fetch): Promise<ConsentPage> {
  const response = await fetchFn(String(authorizationUrl), { redirect: 'manual' });
  return readConsentPage(response);
}

async function readConsentPage(response: Response, previousCookie = ''): Promise<ConsentPage> {
  const html = await response.text();
  const handle = /name="handle" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const cookie = mergeCookies(previousCookie, response.headers.getSetCookie());
  const deleteTicked = /<input type="checkbox" name="allow_delete" value="yes" checked>/.test(html);
  return { status: response.status, html, handle, cookie, deleteTicked };
}

export interface ConsentSubmission {
  decision: 'approve' | 'deny';
  lumaApiKey?: string;
  /** Tick or untick "also delete"; left as the page offered it when unset, as a browser would. */
  allowDelete?: boolean;
}

export interface ConsentResult {
  /** 302 with `location` on approve or deny; 400 with a fresh page when the key was refused. */
  status: number;
  location: string | null;
  page?: ConsentPage;
  /** The response's headers (`Retry-After` on a 429, say). */
  headers: Headers;
}

export async function submitConsent(
  authorizeEndpoint: string | URL,
  page: ConsentPage,
  submission: ConsentSubmission,
  fetchFn: FetchLike = fetch,
): Promise<ConsentResult> {
  const form = new URLSearchParams({ handle: page.handle, decision: submission.decision });
  if (submission.lumaApiKey !== undefined) form.set('luma_api_key', submission.lumaApiKey);
  if (submission.allowDelete ?? page.deleteTicked) form.set('allow_delete', 'yes');
  const response = await fetchFn(String(authorizeEndpoint), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: page.cookie },
    body: form.toString(),
  });
  const location = response.headers.get('location');
  if (response.status === 302) {
    await response.body?.cancel();
    return { status: response.status, location, headers: response.headers };
  }
  return { status: response.status, location, headers: response.headers, page: await readConsentPage(response, page.cookie) };
}

/** Opens the page and approves with the given key; returns the redirect back to the client. */
export async function approveWithKey(authorizationUrl: string | URL, lumaApiKey: string, fetchFn: FetchLike = fetch): Promise<URL> {
  const page = await openConsentPage(authorizationUrl, fetchFn);
  if (page.status !== 200 || !page.handle) throw new Error(`consent page did not render (HTTP ${page.status})`);
  const result = await submitConsent(new URL('/authorize', authorizationUrl), page, { decision: 'approve', lumaApiKey }, fetchFn);
  if (result.status !== 302 || !result.location) throw new Error(`consent was not granted (HTTP ${result.status})`);
  return new URL(result.location);
}

function mergeCookies(previous: string, setCookies: string[]): string {
  const jar = new Map<string, string>();
  for (const pair of previous.split(/;\s*/).filter(Boolean)) {
    const [name, ...rest] = pair.split('=');
    jar.set(name!, rest.join('='));
  }
  for (const header of setCookies) {
    const [pair] = header.split(';');
    const [name, ...rest] = pair!.split('=');
    const value = rest.join('=');
    // An expired cookie is how a server deletes it.
    if (/max-age=0|expires=thu, 01 jan 1970/i.test(header) || value === '') jar.delete(name!.trim());
    else jar.set(name!.trim(), value);
  }
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}
