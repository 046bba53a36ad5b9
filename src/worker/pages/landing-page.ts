import { escapeHtml, STYLES } from '../auth/consent-page.ts';

/**
 * `GET /`: what a person sees when they open the server's address in a browser, usually because
 * they were given it and do not yet know what to do with it. It says what this is, gives the exact
 * URL to paste into an MCP client, and links to the full instructions (the README, served by the
 * Worker itself at `/README.md`, so the link works on every deployment and offline).
 */
export const README_PATH = '/README.md';

export function landingPageResponse(url: URL): Response {
  const nonce = crypto.randomUUID().replace(/-/g, '');
  const headers = new Headers({
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': `default-src 'none'; style-src 'nonce-${nonce}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  return new Response(renderLandingPage(url.origin, nonce), { headers });
}

export function renderLandingPage(origin: string, nonce: string): string {
  const mcpUrl = escapeHtml(`${origin}/mcp`);
  const sseUrl = escapeHtml(`${origin}/sse`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Luma Dream Machine MCP server</title>
<style nonce="${nonce}">${LANDING_STYLES}</style>
</head>
<body>
<main class="card">
  <p class="eyebrow">Luma Dream Machine · MCP server</p>
  <h1>Let your AI assistant tidy up your Luma generations</h1>
  <p>This is a <a href="https://modelcontextprotocol.io">Model Context Protocol</a> server. An assistant connected to it can
  list your Luma Dream Machine generations and delete the ones you ask it to, with your Luma API key.</p>
  <h2>Paste this URL into your MCP client</h2>
  <p class="url"><code id="mcp-url">${mcpUrl}</code></p>
  <p class="muted small">Claude and ChatGPT: <em>Settings → Connectors → Add custom connector</em>. Cursor, MCP Inspector and
  others: a <em>Streamable HTTP</em> server with this URL. Older clients that only speak SSE: <code>${sseUrl}</code>.</p>
  <h2>Then</h2>
  <ol>
    <li>Your client opens this server's consent page in your browser.</li>
    <li>Paste your Luma API key there (lumalabs.ai → Dream Machine API → API keys). It is checked with Luma, stored encrypted, and never shown to the client.</li>
    <li>Ask your assistant, for example: “list my Luma generations”.</li>
  </ol>
  <p>Already connected? <a href="/account">Your account</a>: see the apps connected with your key, disconnect them, or erase everything this server holds about you.</p>
  <p class="more"><a href="${README_PATH}">Full instructions: the README</a></p>
</main>
</body>
</html>`;
}


/** The consent page's stylesheet, with what this page has more: a wider card, headings, links, the URL box. */
const LANDING_STYLES = `${STYLES}
.card { max-width: 560px; }
h1 { margin-bottom: 12px; }
h2 { margin: 22px 0 6px; font-size: 16px; }
a { color: var(--accent); }
.small { font-size: 14px; margin-top: 1em; }
.url { margin: 6px 0; padding: 12px 14px; border: 1px solid var(--line); border-radius: 10px; }
.url code { font-size: 15px; }
ol { padding-left: 22px; margin: 6px 0; }
.more { margin: 22px 0 0; font-weight: 600; }
`;
