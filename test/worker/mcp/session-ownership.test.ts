import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { connectAs } from '../helpers/oauth.ts';
import { ORIGIN, simulator, workerFetch } from '../helpers/worker.ts';

/** A tools/call of delete_generation, as raw JSON-RPC over Streamable HTTP. */
function deleteCall(id: string) {
  return JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'tools/call', params: { name: 'delete_generation', arguments: { generation_id: id } } });
}

describe('an MCP session belongs to the user who opened it', () => {
  it('another user\'s token cannot use it over /mcp, even with its session ID', async () => {
    const alice = await simulator.createAccount(1);
    const bob = await simulator.createAccount(1);
    const aliceToken = (await connectAs(alice.apiKey)).accessToken;
    const bobToken = (await connectAs(bob.apiKey)).accessToken;

    const transport = new StreamableHTTPClientTransport(new URL('/mcp', ORIGIN), {
      requestInit: { headers: { Authorization: `Bearer ${aliceToken}` } },
      fetch: (input, init) => workerFetch(new Request(input, init)),
    });
    const aliceClient = new Client({ name: 'alice', version: '1.0.0' });
    await aliceClient.connect(transport);
    const sessionId = transport.sessionId!;
    expect(sessionId).toBeTruthy();

    const hijack = await workerFetch('/mcp', {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${bobToken}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-06-18',
      },
      body: deleteCall(alice.generations[0]!.id),
    });
    expect(hijack.status).toBe(404);
    await hijack.body?.cancel();
    expect((await simulator.account(alice.apiKey)).deletedIds).toEqual([]);
    expect(await simulator.requestsFor(bob.apiKey)).toSatisfy((requests: { method: string }[]) => requests.every((r) => r.method !== 'DELETE'));
    await aliceClient.close();
  });

  it('another user\'s token cannot attach to it over /sse by naming its session ID', async () => {
    const alice = await simulator.createAccount(1);
    const bob = await simulator.createAccount(1);
    const aliceToken = (await connectAs(alice.apiKey)).accessToken;
    const bobToken = (await connectAs(bob.apiKey)).accessToken;

    const opened = await workerFetch('/sse', { headers: { Authorization: `Bearer ${aliceToken}`, Accept: 'text/event-stream' } });
    expect(opened.status).toBe(200);
    const reader = opened.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const sessionId = /sessionId=([0-9a-f]+)/.exec(first)?.[1];
    expect(sessionId).toBeTruthy();

    const attach = await workerFetch(`/sse?sessionId=${sessionId}`, { headers: { Authorization: `Bearer ${bobToken}`, Accept: 'text/event-stream' } });
    expect(attach.status).toBe(404);
    await attach.body?.cancel();
    const post = await workerFetch(`/sse/message?sessionId=${sessionId}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${bobToken}`, 'Content-Type': 'application/json' },
      body: deleteCall(alice.generations[0]!.id),
    });
    expect(post.status).toBe(404);
    await post.body?.cancel();
    expect((await simulator.account(alice.apiKey)).deletedIds).toEqual([]);
    await reader.cancel();
  });
});
