import type { Client } from '@modelcontextprotocol/client';
import { createRequestStateCodec } from '@modelcontextprotocol/server';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deriveRequestStateKey } from '../../../src/core/mcp/confirmation-state.ts';
import { userIdForLumaKey } from '../../../src/worker/auth/user-id.ts';
import { connectAs } from '../helpers/oauth.ts';
import { modernClient, type Answer, type ModernClientOptions } from '../helpers/modern-client.ts';
import { simulator, workerFetch } from '../helpers/worker.ts';

/**
 * MCP 2026-07-28 on `/mcp`, served by the Worker per request: the official v2 client pinned to
 * that revision, through a real OAuth token, against the Luma simulator. A confirmation is an
 * `input_required` round trip; the simulator's record proves what reached Luma.
 */
let apiKey: string;
let ids: string[];
let accessToken: string;
const clients: Client[] = [];

beforeEach(async () => {
  const account = await simulator.createAccount(4);
  apiKey = account.apiKey;
  ids = account.generations.map((generation) => generation.id);
  accessToken = (await connectAs(apiKey)).accessToken;
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function connect(options: ModernClientOptions = {}): Promise<Client> {
  const client = await modernClient(accessToken, options);
  clients.push(client);
  return client;
}

async function deletesSent(): Promise<string[]> {
  return (await simulator.requestsFor(apiKey)).filter((request) => request.method === 'DELETE').map((request) => request.path);
}

const always = (answer: Answer) => () => answer;

describe('a 2026-07-28 client', () => {
  it('connects without a handshake or a session, and sees who the server is', async () => {
    const responses: Response[] = [];
    const client = await connect({ responses });
    expect(client.getProtocolEra()).toBe('modern');
    expect(client.getServerVersion()).toMatchObject({ name: 'luma-dream-machine' });
    // Served per request, it cannot announce list changes, and does not claim to.
    expect(client.getServerCapabilities()).toMatchObject({ tools: { listChanged: false }, resources: { listChanged: false } });
    await client.listTools();
    expect(responses.length).toBeGreaterThan(0);
    for (const response of responses) expect(response.headers.get('mcp-session-id')).toBeNull();
  });

  it("negotiates 2026-07-28 in 'auto' mode too", async () => {
    const client = await connect({ mode: 'auto' });
    expect(client.getProtocolEra()).toBe('modern');
  });

  it('lists every tool with its schemas and annotations, and a cache hint: the list is the same for everyone', async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(
      ['clear_recent_deletes', 'delete_generation', 'delete_generations', 'get_generation', 'list_generations', 'list_recent_deletes', 'set_delete_confirmation'].sort(),
    );
    for (const tool of tools) expect(tool.outputSchema?.type).toBe('object');
    expect(tools.find((tool) => tool.name === 'delete_generation')?.annotations).toMatchObject({ destructiveHint: true });

    const raw = await rawModernRequest('tools/list', {});
    expect(raw.status).toBe(200);
    const body = (await raw.json()) as { result: { ttlMs?: number; cacheScope?: string } };
    expect(body.result.cacheScope).toBe('public');
    expect(body.result.ttlMs).toBeGreaterThan(0);
  });

  it('lists, reads and deletes without confirmation when the client cannot ask', async () => {
    const client = await connect();
    const list = await client.callTool({ name: 'list_generations', arguments: { limit: 10 } });
    expect(list.isError).toBeFalsy();
    expect((list.structuredContent as { count: number }).count).toBe(4);
    const deleted = await client.callTool({ name: 'delete_generation', arguments: { generation_id: ids[0] } });
    expect(deleted.structuredContent).toMatchObject({ generation_id: ids[0], outcome: 'deleted' });
    expect(await deletesSent()).toEqual([`/generations/${ids[0]}`]);
  });
});

describe('confirmation through input_required', () => {
  it('asks once, and deletes when the person says yes', async () => {
    const asked: string[] = [];
    const client = await connect({ answer: (message) => (asked.push(message), { action: 'accept', content: { confirm: true } }) });
    const result = await client.callTool({ name: 'delete_generation', arguments: { generation_id: ids[0] } });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ outcome: 'deleted' });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain(ids[0]);
    expect(await deletesSent()).toEqual([`/generations/${ids[0]}`]);
  });

  it.each([
    ['declines', { action: 'decline' } as Answer, 'declined'],
    ['cancels', { action: 'cancel' } as Answer, 'cancelled'],
    ['accepts without saying yes', { action: 'accept', content: { confirm: false } } as Answer, 'declined'],
    ['accepts an empty form', { action: 'accept', content: {} } as Answer, 'declined'],
  ])('sends nothing to Luma when the person %s', async (_what, answer, outcome) => {
    const client = await connect({ answer: always(answer) });
    const result = await client.callTool({ name: 'delete_generation', arguments: { generation_id: ids[0] } });
    expect(result.structuredContent).toMatchObject({ generation_id: ids[0], outcome });
    expect(await deletesSent()).toEqual([]);
  });

  it('asks once for a whole batch, and deletes exactly those', async () => {
    let asked = 0;
    const client = await connect({ answer: () => (asked++, { action: 'accept', content: { confirm: true } }) });
    const result = await client.callTool({ name: 'delete_generations', arguments: { generation_ids: ids.slice(0, 3) } });
    expect(result.structuredContent).toMatchObject({ summary: { deleted: 3, failed: 0 } });
    expect(asked).toBe(1);
    expect((await deletesSent()).sort()).toEqual(ids.slice(0, 3).map((id) => `/generations/${id}`).sort());
  });
});

describe('a confirmation state that cannot vouch for the answer deletes nothing', () => {
  /** A client that answers yes, but echoes `replacement` instead of the state it was given. */
  function tamperedClient(replacement: string) {
    let replaced = false;
    return connect({
      answer: always({ action: 'accept', content: { confirm: true } }),
      rewriteBody: (body) => {
        const params = body.params as Record<string, unknown> | undefined;
        if (typeof params?.requestState !== 'string' || replaced) return body;
        replaced = true;
        return { ...body, params: { ...params, requestState: replacement } };
      },
    });
  }

  async function stateFor(userId: string, payload: { tool: string; items: string }, ttlSeconds = 600): Promise<string> {
    const key = await deriveRequestStateKey(env.KEY_ENCRYPTION_SECRET!);
    const codec = createRequestStateCodec({ key, ttlSeconds, bind: () => `confirmation\0${userId}` });
    return codec.mint(payload, {} as never);
  }

  async function itemsDigest(items: string[]): Promise<string> {
    const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(items))));
    return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  async function expectRefused(replacement: string) {
    const client = await tamperedClient(replacement);
    const result = await client.callTool({ name: 'delete_generation', arguments: { generation_id: ids[0] } });
    expect(result.isError).toBe(true);
    expect((result.content as { text: string }[])[0]!.text).toMatch(/Nothing was deleted/);
    expect(await deletesSent()).toEqual([]);
    return (result.content as { text: string }[])[0]!.text;
  }

  it('refuses a forged state', async () => {
    expect(await expectRefused('v1.eyJwIjp7fX0.Zm9yZ2Vk')).toMatch(/not one this server issued/);
  });

  it('refuses an altered state', async () => {
    const userId = await userIdForLumaKey(apiKey, env.USER_ID_SECRET!);
    const genuine = await stateFor(userId, { tool: 'delete_generation', items: await itemsDigest([ids[0]!]) });
    const [version, body, mac] = genuine.split('.');
    const altered = JSON.parse(atob(body!.replace(/-/g, '+').replace(/_/g, '/'))) as { p: { items: string } };
    altered.p.items = await itemsDigest([ids[1]!]);
    const rebuilt = btoa(JSON.stringify(altered)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expect(await expectRefused(`${version}.${rebuilt}.${mac}`)).toMatch(/not one this server issued/);
  });

  it('refuses a state minted for another user', async () => {
    const state = await stateFor('u_someone_else', { tool: 'delete_generation', items: await itemsDigest([ids[0]!]) });
    expect(await expectRefused(state)).toMatch(/not one this server issued|issued to someone else/);
  });

  it('refuses a state minted for other generations, or another tool', async () => {
    const userId = await userIdForLumaKey(apiKey, env.USER_ID_SECRET!);
    expect(await expectRefused(await stateFor(userId, { tool: 'delete_generation', items: await itemsDigest([ids[1]!]) }))).toMatch(/different request/);
    expect(await expectRefused(await stateFor(userId, { tool: 'delete_generations', items: await itemsDigest([ids[0]!]) }))).toMatch(/different request/);
  });

  it('refuses an expired state', async () => {
    const userId = await userIdForLumaKey(apiKey, env.USER_ID_SECRET!);
    const state = await stateFor(userId, { tool: 'delete_generation', items: await itemsDigest([ids[0]!]) }, 1);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(await expectRefused(state)).toMatch(/expired/);
  });

  it('but accepts a genuine one (the test harness itself does not break the flow)', async () => {
    const userId = await userIdForLumaKey(apiKey, env.USER_ID_SECRET!);
    const client = await tamperedClient(await stateFor(userId, { tool: 'delete_generation', items: await itemsDigest([ids[0]!]) }));
    const result = await client.callTool({ name: 'delete_generation', arguments: { generation_id: ids[0] } });
    expect(result.structuredContent).toMatchObject({ outcome: 'deleted' });
    expect(await deletesSent()).toEqual([`/generations/${ids[0]}`]);
  });
});

describe('the rest of the 2026-07-28 surface', () => {
  it('answers an unsupported protocol version with the SDK error, and touches nothing', async () => {
    const response = await rawModernRequest('tools/call', { name: 'delete_generation', arguments: { generation_id: ids[0] } }, '2099-01-01');
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: number } };
    expect(body.error.code).toBe(-32022);
    expect(await deletesSent()).toEqual([]);
  });

  it('answers a malformed envelope with invalid params, and touches nothing', async () => {
    const response = await workerFetch('/mcp', {
      method: 'POST',
      headers: { ...modernHeaders('tools/call', 'delete_generation'), Authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'delete_generation', arguments: { generation_id: ids[0] }, _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': 'not an object' } },
      }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32602);
    expect(await deletesSent()).toEqual([]);
  });

  it('still needs a token', async () => {
    const response = await workerFetch('/mcp', { method: 'POST', headers: modernHeaders('tools/list'), body: JSON.stringify(envelope('tools/list', {})) });
    expect(response.status).toBe(401);
  });
});

function modernHeaders(method: string, name?: string, version = '2026-07-28'): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    Accept: 'application/json, text/event-stream',
    'MCP-Protocol-Version': version,
    'Mcp-Method': method,
    ...(name ? { 'Mcp-Name': name } : {}),
  };
}

function envelope(method: string, params: Record<string, unknown>, version = '2026-07-28') {
  return {
    jsonrpc: '2.0',
    id: 1,
    method,
    params: {
      ...params,
      _meta: {
        'io.modelcontextprotocol/protocolVersion': version,
        'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
        'io.modelcontextprotocol/clientCapabilities': {},
      },
    },
  };
}

function rawModernRequest(method: string, params: Record<string, unknown>, version = '2026-07-28'): Promise<Response> {
  const name = typeof params.name === 'string' ? params.name : undefined;
  return workerFetch('/mcp', {
    method: 'POST',
    headers: { ...modernHeaders(method, name, version), Authorization: `Bearer ${accessToken}` },
    body: JSON.stringify(envelope(method, params, version)),
  });
}
