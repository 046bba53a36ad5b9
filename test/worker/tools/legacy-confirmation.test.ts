import { ElicitRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { connectAs } from '../helpers/oauth.ts';
import { ORIGIN, simulator, workerFetch } from '../helpers/worker.ts';

/**
 * The 2025-era confirmation: the question is a request inside the open call. A yes that arrives
 * after the client gave up on the call (its timeout cancels the request) must delete nothing.
 */
describe('a 2025-era confirmation', () => {
  it('answered after the client gave up on the call deletes nothing', { timeout: 20_000 }, async () => {
    const { apiKey, generations } = await simulator.createAccount(1);
    const { accessToken } = await connectAs(apiKey);
    let answered!: () => void;
    const lateAnswer = new Promise<void>((resolve) => (answered = resolve));
    const client = new Client({ name: 'slow-person', version: '1.0.0' }, { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, async () => {
      // The person answers yes, but only after the client's own timeout has cancelled the call.
      await new Promise((resolve) => setTimeout(resolve, 800));
      answered();
      return { action: 'accept', content: { confirm: true } };
    });
    await client.connect(
      new StreamableHTTPClientTransport(new URL('/mcp', ORIGIN), {
        requestInit: { headers: { Authorization: `Bearer ${accessToken}` } },
        fetch: (input, init) => workerFetch(new Request(input, init)),
      }),
    );
    try {
      await expect(client.callTool({ name: 'delete_generation', arguments: { generation_id: generations[0]!.id } }, undefined, { timeout: 300 })).rejects.toThrow(/timed out/i);
      await lateAnswer;
      // Give a wrongly accepted delete every chance to happen.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await simulator.requestsFor(apiKey)).filter((request) => request.method === 'DELETE')).toEqual([]);
      expect((await simulator.account(apiKey)).deletedIds).toEqual([]);
      // The same client, answering in time, does delete: the test can tell the difference.
      const inTime = new Client({ name: 'prompt-person', version: '1.0.0' }, { capabilities: { elicitation: {} } });
      inTime.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { confirm: true } }));
      await inTime.connect(
        new StreamableHTTPClientTransport(new URL('/mcp', ORIGIN), {
          requestInit: { headers: { Authorization: `Bearer ${accessToken}` } },
          fetch: (input, init) => workerFetch(new Request(input, init)),
        }),
      );
      const result = (await inTime.callTool({ name: 'delete_generation', arguments: { generation_id: generations[0]!.id } })) as CallToolResult;
      expect(result.structuredContent).toMatchObject({ outcome: 'deleted' });
      await inTime.close();
    } finally {
      await client.close();
    }
  });
});
