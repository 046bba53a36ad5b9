import type { ConsentDescription } from '@cloudflare/workers-oauth-provider';
import { displayClientName } from './client-metadata.ts';
import { SCOPE_DELETE, SCOPE_READ } from './scope-guard.ts';

/**
 * The one screen a person sees: who is asking, where access goes, and a field for their Luma key.
 * Everything from the client (name, URIs) is self-asserted by whoever registered it, so it is
 * escaped and labelled as such.
 */
export interface ConsentPageOptions {
  details: ConsentDescription;
  handle: string;
  /** A problem with the last submission, shown above the form. Never contains the key. */
  error?: string;
  /** Per-response nonce for the inline stylesheet, so the CSP can forbid everything else. */
  nonce: string;
}

export function renderConsentPage({ details, handle, error, nonce }: ConsentPageOptions): string {
  // Self-asserted and possibly long (registered before the limits): cut, then escaped.
  const name = escapeHtml(displayClientName(details.clientName));
  // Deleting is offered ticked when the app asked for it, or asked for nothing in particular
  // (clients older than these scopes); the person can untick it to connect read-only.
  const ours = details.scope.filter((scope) => scope === SCOPE_READ || scope === SCOPE_DELETE);
  const deleteTicked = ours.length === 0 || details.scope.includes(SCOPE_DELETE);
  const who = details.clientDomain
    ? `Published by <strong>${escapeHtml(details.clientDomain)}</strong>.`
    : 'This app registered itself: its name is not verified.';
  const localWarning = details.redirectIsLoopback
    ? `<p class="warn">Access goes to an app on this computer (<code>${escapeHtml(details.redirectHost)}</code>). Continue only if you just started connecting from it.</p>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Connect ${name} to Luma Dream Machine</title>
<style nonce="${nonce}">${STYLES}</style>
</head>
<body>
<main class="card">
  <p class="eyebrow">Luma Dream Machine · MCP server</p>
  <h1>Allow <span class="client">${name}</span> to manage your Luma generations?</h1>
  <p class="muted">${who}</p>
  <dl>
    <dt>It will be able to</dt>
    <dd>See the generations in your Luma Dream Machine account and what was deleted through this server.</dd>
    <dt>Access is sent to</dt>
    <dd><code>${escapeHtml(details.redirectHost)}</code></dd>
  </dl>
  ${localWarning}
  ${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
  <form method="post" action="/authorize" autocomplete="off">
    <input type="hidden" name="handle" value="${escapeHtml(handle)}">
    <label class="check"><input type="checkbox" name="allow_delete" value="yes"${deleteTicked ? ' checked' : ''}>
      <span>Also let it <strong>delete</strong> generations you ask it to, and clear the deletes log. Deletes cannot be undone. Untick to connect read-only.</span></label>
    <label for="luma_api_key">Your Luma API key</label>
    <input id="luma_api_key" name="luma_api_key" type="password" autocomplete="off" spellcheck="false" placeholder="luma-…" aria-describedby="key-help">
    <p id="key-help" class="muted small">Create one at lumalabs.ai → Dream Machine API → API keys. It is checked with Luma, stored encrypted, and never shown to ${name}.</p>
    <div class="actions">
      <button type="submit" name="decision" value="deny" class="secondary" formnovalidate>Deny</button>
      <button type="submit" name="decision" value="approve" class="primary">Approve</button>
    </div>
  </form>
</main>
</body>
</html>`;
}

/** A page for when no consent can be asked (expired link, unknown client, …). */
export function renderProblemPage(title: string, message: string, nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style nonce="${nonce}">${STYLES}</style>
</head>
<body>
<main class="card">
  <p class="eyebrow">Luma Dream Machine · MCP server</p>
  <h1>${escapeHtml(title)}</h1>
  <p>${escapeHtml(message)}</p>
</main>
</body>
</html>`;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** The pages' one stylesheet, sent inline under a per-response nonce. */
export const STYLES = `
:root { color-scheme: light dark; --bg: #f4f3f8; --card: #fff; --text: #1d1b26; --muted: #5f5b6e; --line: #e3e0ec;
  --accent: #5b3df5; --accent-text: #fff; --warn-bg: #fff6db; --warn: #6b4e00; --error-bg: #fde8e8; --error: #9b1c1c; }
@media (prefers-color-scheme: dark) { :root { --bg: #121018; --card: #1c1a24; --text: #ecebf2; --muted: #a29fb2; --line: #2e2b3a;
  --accent: #8b74ff; --accent-text: #0d0b14; --warn-bg: #3a2f0b; --warn: #f5d77a; --error-bg: #3d1414; --error: #f8b4b4; } }
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: grid; place-items: center; padding: 24px; background: var(--bg); color: var(--text);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.card { width: 100%; max-width: 460px; background: var(--card); border: 1px solid var(--line); border-radius: 16px; padding: 28px;
  box-shadow: 0 10px 30px rgb(0 0 0 / 0.08); }
.eyebrow { margin: 0 0 8px; font-size: 13px; letter-spacing: .04em; text-transform: uppercase; color: var(--muted); }
h1 { margin: 0 0 8px; font-size: 22px; line-height: 1.3; }
.client { color: var(--accent); word-break: break-word; }
.muted { color: var(--muted); }
.small { font-size: 13px; margin-top: 6px; }
dl { margin: 20px 0; padding: 14px 16px; border: 1px solid var(--line); border-radius: 12px; }
dt { font-size: 13px; color: var(--muted); }
dd { margin: 0 0 10px; }
dd:last-child { margin-bottom: 0; }
code { font: 14px ui-monospace, SFMono-Regular, Menlo, monospace; overflow-wrap: anywhere; }
.warn, .error { padding: 10px 14px; border-radius: 10px; font-size: 14px; }
.warn { background: var(--warn-bg); color: var(--warn); }
.error { background: var(--error-bg); color: var(--error); font-weight: 500; }
label { display: block; font-weight: 600; margin-top: 8px; }
input[type=password] { width: 100%; margin-top: 6px; padding: 10px 12px; font: inherit; color: inherit; background: transparent;
  border: 1px solid var(--line); border-radius: 10px; }
.check { display: flex; gap: 10px; align-items: flex-start; font-weight: 400; margin: 0 0 16px; font-size: 14px; }
.check input { margin-top: 4px; }
input[type=password]:focus { outline: 2px solid var(--accent); outline-offset: 1px; }
.actions { display: flex; gap: 12px; justify-content: flex-end; margin-top: 20px; }
button { font: inherit; font-weight: 600; padding: 10px 18px; border-radius: 10px; cursor: pointer; border: 1px solid var(--line); }
.primary { background: var(--accent); color: var(--accent-text); border-color: var(--accent); }
.secondary { background: transparent; color: var(--text); }
`;
