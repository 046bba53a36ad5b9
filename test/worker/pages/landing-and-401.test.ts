import { describe, expect, it, vi } from 'vitest';
import { ORIGIN, workerFetch } from '../helpers/worker.ts';

vi.setConfig({ testTimeout: 30_000 });

const ACCEPT = 'application/json, text/event-stream';
const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'no-token', version: '1' } },
});

describe('GET /', () => {
  it('is a small HTML page: what this is, the MCP URL to paste, and a link to the README', async () => {
    const response = await workerFetch('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'; style-src 'nonce-[0-9a-f]{32}'/);
    const html = await response.text();
    expect(html).toContain('Model Context Protocol');
    expect(html).toContain('Luma Dream Machine');
    expect(html).toContain(`<code id="mcp-url">${ORIGIN}/mcp</code>`);
    expect(html).toContain(`${ORIGIN}/sse`);
    expect(html).toContain('<a href="/README.md">');
  });

  it('shows the origin it was reached at, escaped', async () => {
    const html = await (await workerFetch('http://127.0.0.1:9999/')).text();
    expect(html).toContain('<code id="mcp-url">http://127.0.0.1:9999/mcp</code>');
  });
});

describe('GET /README.md', () => {
  it('serves the bundled README as markdown', async () => {
    const response = await workerFetch('/README.md');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    const text = await response.text();
    expect(text.startsWith('# Luma Dream Machine MCP server')).toBe(true);
    expect(text).toContain('## Quick start');
  });
});

describe('401 on the MCP endpoints', () => {
  for (const [name, init, path] of [
    ['/mcp without a token', { method: 'POST', headers: { Accept: ACCEPT, 'Content-Type': 'application/json' }, body: INITIALIZE }, '/mcp'],
    ['/sse without a token', { method: 'GET', headers: { Accept: 'text/event-stream' } }, '/sse'],
  ] as const) {
    it(`${name}: keeps WWW-Authenticate and says how to authenticate in a JSON body`, async () => {
      const response = await workerFetch(path, init);
      expect(response.status).toBe(401);
      const challenge = response.headers.get('www-authenticate') ?? '';
      expect(challenge).toMatch(/^Bearer /);
      expect(challenge).toContain('resource_metadata=');
      expect(response.headers.get('content-type')).toBe('application/json');
      const body = (await response.json()) as Record<string, string>;
      expect(body.error).toBe('unauthorized');
      expect(body.error_description).toContain('OAuth access token');
      expect(body.how_to_authenticate).toContain(`${ORIGIN}/mcp`);
      expect(body.how_to_authenticate).toContain('Luma API key');
      expect(body.resource_metadata).toBe(`${ORIGIN}/.well-known/oauth-protected-resource${path}`);
      expect(body.documentation).toBe(`${ORIGIN}/README.md`);
    });
  }

  it('a refused token keeps the library\'s error and description, and says to connect again', async () => {
    const response = await workerFetch('/mcp', {
      method: 'POST',
      headers: { Accept: ACCEPT, 'Content-Type': 'application/json', Authorization: 'Bearer user:grant:not-a-real-token' },
      body: INITIALIZE,
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const body = (await response.json()) as Record<string, string>;
    expect(body.error).toBe('invalid_token');
    expect(body.error_description).toBe('Invalid access token');
    expect(body.how_to_authenticate).toContain('connect again');
  });

  it('leaves the OAuth endpoints\' own 401s alone', async () => {
    const response = await workerFetch('/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=authorization_code&code=x&client_id=unknown&code_verifier=y',
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as Record<string, string>;
    expect(body.how_to_authenticate).toBeUndefined();
  });
});
