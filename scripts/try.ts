// `npm run try`: connect to the server as an MCP client would, then try the tools. Built on the
// official MCP SDK client (discovery, dynamic registration, PKCE, token exchange); tokens stay in
// memory and are never printed.
//
//   npm run try                                    # opens the consent page in your browser
//   npm run try -- --key luma-demo-key-alice       # headless: approves the consent page with this key
//   npm run try -- --key luma-demo-key-alice --delete 8e27d4a1-5c93-4f6b-a0d8-1b3e5f7c9a26
//   npm run try -- --url https://<your-worker>/mcp
//   npm run try -- --no-browser                    # only print the consent page's address (SSH, containers)
//
// --key is meant for the demo's keys: a key on a command line lands in your shell history, so for
// your real Luma key let the browser open (no --key) and paste it on the consent page.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { MemoryOAuthProvider } from './memory-oauth-provider.ts';

const USAGE = 'usage: npm run try -- [--url http://localhost:8787/mcp] [--key <Luma API key> | --no-browser] [--delete <generation id>] [--limit 10]';
const AUTHORIZE_TIMEOUT_MS = 5 * 60_000;

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://localhost:8787/mcp' },
    key: { type: 'string' },
    delete: { type: 'string' },
    limit: { type: 'string', default: '10' },
    'no-browser': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const mcpUrl = new URL(values.url!);

async function main(): Promise<number> {
  // The redirect target: a one-shot listener on loopback (used by the browser; headless never calls it).
  const callback = await listenForCallback();
  const provider = new MemoryOAuthProvider('npm run try (Luma MCP)', `http://127.0.0.1:${callback.port}/callback`);
  try {
    const first = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
    try {
      await new Client({ name: 'npm-run-try', version: '1.0.0' }).connect(first);
    } catch (error) {
      if (!(error instanceof UnauthorizedError) || !provider.authorizationUrl) throw error;
    }
    if (!provider.tokens()) {
      const code = values.key ? await approveHeadless(provider.authorizationUrl!, values.key) : await approveInBrowser(provider.authorizationUrl!, callback);
      await first.finishAuth(code);
    }
  } finally {
    callback.server.close();
  }

  const client = new Client({ name: 'npm-run-try', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }));
  try {
    const { tools } = await client.listTools();
    console.log(`Connected to ${mcpUrl.href}. Tools: ${tools.map((tool) => tool.name).join(', ')}\n`);
    let failed = !(await show(client, 'list_generations', { limit: Number(values.limit) }));
    if (values.delete) failed = !(await show(client, 'delete_generation', { generation_id: values.delete })) || failed;
    return failed ? 1 : 0;
  } finally {
    await client.close();
  }
}

/** Calls a tool and prints what a person would read: its text. Returns whether it succeeded. */
async function show(client: Client, name: string, args: Record<string, unknown>): Promise<boolean> {
  console.log(`→ ${name} ${JSON.stringify(args)}`);
  try {
    const result = await client.callTool({ name, arguments: args });
    const content = Array.isArray(result.content) ? result.content : [];
    for (const block of content) if (block.type === 'text') console.log(block.text);
    console.log('');
    return result.isError !== true;
  } catch (error) {
    console.log(`failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return false;
  }
}

/** Plays the person at the consent page: opens it, pastes the key, approves. Returns the code. */
async function approveHeadless(authorizationUrl: URL, key: string): Promise<string> {
  const page = await fetch(authorizationUrl, { redirect: 'manual' });
  const html = await page.text();
  const handle = /name="handle" value="([^"]+)"/.exec(html)?.[1];
  if (page.status !== 200 || !handle) throw new Error(`the consent page did not open (HTTP ${page.status})`);
  const cookie = page.headers.getSetCookie().map((header) => header.split(';')[0]).join('; ');
  const form = new URLSearchParams({ handle, decision: 'approve', luma_api_key: key });
  // As a browser would: "also delete" is sent when the page offers it ticked (a read-only token could not delete).
  if (/<input type="checkbox" name="allow_delete" value="yes" checked>/.test(html)) form.set('allow_delete', 'yes');
  const answer = await fetch(new URL('/authorize', authorizationUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
    body: form.toString(),
  });
  const location = answer.headers.get('location');
  if (answer.status !== 302 || !location) {
    const problem = /role="alert">([^<]+)</.exec(await answer.text())?.[1];
    throw new Error(`the consent page refused: ${problem ?? `HTTP ${answer.status}`}`);
  }
  const code = new URL(location).searchParams.get('code');
  if (!code) throw new Error(`consent was not granted (${new URL(location).searchParams.get('error') ?? 'no code'})`);
  return code;
}

interface Callback {
  server: Server;
  port: number;
  code: Promise<string>;
}

function listenForCallback(): Promise<Callback> {
  return new Promise((resolve, reject) => {
    let settle: (code: string) => void = () => {};
    let fail: (error: Error) => void = () => {};
    const code = new Promise<string>((res, rej) => {
      settle = res;
      fail = rej;
    });
    code.catch(() => {}); // unobserved when headless
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/callback') {
        res.writeHead(404).end();
        return;
      }
      const value = url.searchParams.get('code');
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(value ? 'Connected. You can close this tab and go back to the terminal.\n' : `Not connected: ${url.searchParams.get('error') ?? 'no code'}.\n`);
      if (value) settle(value);
      else fail(new Error(`consent was not granted (${url.searchParams.get('error') ?? 'no code'})`));
    });
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0, code });
    });
  });
}

async function approveInBrowser(authorizationUrl: URL, callback: Callback): Promise<string> {
  console.log(`Open this page, paste your Luma API key and approve:\n\n  ${authorizationUrl.href}\n`);
  if (!values['no-browser']) openBrowser(authorizationUrl.href);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no answer from the consent page within 5 minutes')), AUTHORIZE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([callback.code, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Best effort: the system's browser opener; the URL is printed above either way. */
function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer.exe' : 'xdg-open';
  try {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // no opener: the printed URL is enough
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`npm run try: ${message}`);
  if (/fetch failed|ECONNREFUSED/.test(message)) console.error(`Is the server running at ${mcpUrl.origin}? Start it with \`npm run demo\`.`);
  process.exitCode = 1;
}
