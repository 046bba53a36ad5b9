import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectWithOAuth, type TransportKind } from './helpers/mcp-oauth-client.ts';
import { useStack } from './helpers/stack.ts';

/**
 * The product as a person runs it: `wrangler dev` with the Worker, the Luma simulator as Luma,
 * and the official MCP SDK client going through discovery, registration, PKCE, the consent form
 * and the code exchange, over Streamable HTTP and over SSE.
 */
const stack = useStack();


async function account(generations = 3) {
  const created = await stack.simulator.createAccount(generations);
  stack.keysUsed.push(created.apiKey);
  return { ...created, ids: created.generations.map((generation) => generation.id) };
}

async function callDelete(client: Client, generationId: unknown): Promise<CallToolResult> {
  return (await client.callTool({ name: 'delete_generation', arguments: { generation_id: generationId } })) as CallToolResult;
}

const text = (result: CallToolResult) => result.content.map((block) => (block.type === 'text' ? block.text : '')).join('\n');

describe.each<TransportKind>(['streamable-http', 'sse'])('over %s, after the full OAuth flow', (kind) => {
  let user: Awaited<ReturnType<typeof account>>;
  let client: Client;

  beforeAll(async () => {
    user = await account(4);
    ({ client } = await connectWithOAuth(stack.worker.origin, kind, user.apiKey));
  });

  afterAll(async () => {
    await client?.close();
  });

  const deletes = async () => (await stack.simulator.requestsFor(user.apiKey)).filter((request) => request.method === 'DELETE');

  it('lists the tools and the recent-deletes resource', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'clear_recent_deletes',
      'delete_generation',
      'delete_generations',
      'get_generation',
      'list_generations',
      'list_recent_deletes',
      'set_delete_confirmation',
    ]);
    const { resources } = await client.listResources();
    expect(resources.map((resource) => resource.uri)).toEqual(['luma://deletes/recent']);
  });

  it('deletes the user\'s generation', async () => {
    const result = await callDelete(client, user.ids[0]);
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ generation_id: user.ids[0], outcome: 'deleted' });
    expect((await stack.simulator.account(user.apiKey)).deletedIds).toContain(user.ids[0]);
  });

  it('answers a repeat delete from the log, without a second DELETE to Luma', async () => {
    const before = (await deletes()).length;
    const again = await callDelete(client, user.ids[0]);
    expect(again.isError).toBeFalsy();
    expect(again.structuredContent).toMatchObject({ outcome: 'already_deleted', deleted_by: 'E2E test client' });
    expect((await deletes()).length).toBe(before);
  });

  it('shows the delete through list_recent_deletes and luma://deletes/recent', async () => {
    const listed = (await client.callTool({ name: 'list_recent_deletes', arguments: {} })) as CallToolResult;
    const entries = (listed.structuredContent as { entries: { generation_id: string }[] }).entries;
    expect(entries.map((entry) => entry.generation_id)).toEqual([user.ids[0]]);
    const resource = await client.readResource({ uri: 'luma://deletes/recent' });
    expect(JSON.parse((resource.contents[0] as { text: string }).text).entries).toEqual(entries);
  });

  it.each([['../credits'], ['..'], ['%2e%2e'], [''], ['  '], ['x'.repeat(10_240)], [12345]])(
    'rejects the bad ID %# without any upstream request',
    async (badId) => {
      const before = (await stack.simulator.requestsFor(user.apiKey)).length;
      const result = await callDelete(client, badId);
      expect(result.isError).toBe(true);
      expect(text(result)).toContain('Invalid generation_id');
      expect((await stack.simulator.requestsFor(user.apiKey)).length).toBe(before);
    },
  );

  it('reports not found (404)', async () => {
    const result = await callDelete(client, '00000000-0000-4000-8000-000000000001');
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ error: { code: 'not_found' } });
  });

  it('reports a rejected key (401) and asks to reconnect', async () => {
    await stack.simulator.injectFault({ apiKey: user.apiKey, method: 'DELETE', status: 401, times: 1 });
    const result = await callDelete(client, user.ids[1]);
    expect(result.structuredContent).toMatchObject({ error: { code: 'key_rejected' } });
    expect(text(result)).toContain('Reconnect');
  });

  it('reports rate limiting (429) with when to retry', async () => {
    await stack.simulator.injectFault({ apiKey: user.apiKey, method: 'DELETE', status: 429, headers: { 'Retry-After': '45' }, times: 1 });
    const result = await callDelete(client, user.ids[1]);
    expect(result.structuredContent).toMatchObject({ error: { code: 'rate_limited', retry_after_seconds: 45 } });
  });

  it('reports Luma unavailable after retries (503, timeout, dropped connection)', async () => {
    for (const fault of [{ status: 503 }, { delayMs: 2_000 }, { drop: true }]) {
      await stack.simulator.injectFault({ apiKey: user.apiKey, method: 'DELETE', times: 3, ...fault });
      const before = (await deletes()).length;
      const result = await callDelete(client, user.ids[1]);
      expect(result.isError).toBe(true);
      expect(result.structuredContent).toMatchObject({ error: { code: 'luma_unavailable' } });
      expect((await deletes()).length - before).toBe(3);
    }
    expect((await stack.simulator.account(user.apiKey)).deletedIds).not.toContain(user.ids[1]);
  });
});

describe('two users', () => {
  it('cannot reach each other\'s key: B\'s call for A\'s generation goes out with B\'s key and finds nothing', async () => {
    const alice = await account(2);
    const bob = await account(2);
    const { client: aliceClient } = await connectWithOAuth(stack.worker.origin, 'streamable-http', alice.apiKey);
    const { client: bobClient } = await connectWithOAuth(stack.worker.origin, 'sse', bob.apiKey);

    const attempt = await callDelete(bobClient, alice.ids[0]);
    expect(attempt.structuredContent).toMatchObject({ error: { code: 'not_found' } });
    expect(await stack.simulator.requestsFor(alice.apiKey)).toSatisfy((requests: { method: string }[]) =>
      requests.every((request) => request.method !== 'DELETE'),
    );
    expect((await callDelete(aliceClient, alice.ids[0])).isError).toBeFalsy();
    expect((await stack.simulator.account(alice.apiKey)).deletedIds).toEqual([alice.ids[0]]);
    expect((await stack.simulator.account(bob.apiKey)).deletedIds).toEqual([]);

    // Each sees only their own log, through the tool and the resource.
    const logOf = async (client: Client) =>
      JSON.parse(((await client.readResource({ uri: 'luma://deletes/recent' })).contents[0] as { text: string }).text).entries.map(
        (entry: { generation_id: string }) => entry.generation_id,
      );
    expect(await logOf(aliceClient)).toEqual([alice.ids[0]]);
    expect(await logOf(bobClient)).toEqual([]);
    const bobList = (await bobClient.callTool({ name: 'list_recent_deletes', arguments: {} })) as CallToolResult;
    expect((bobList.structuredContent as { entries: unknown[] }).entries).toEqual([]);

    await aliceClient.close();
    await bobClient.close();
  });
});
