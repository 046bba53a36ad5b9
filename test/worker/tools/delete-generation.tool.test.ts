import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { userIdForLumaKey } from '../../../src/worker/auth/user-id.ts';
import { userStoreFor } from '../../../src/worker/user-store/user-store.ts';
import { callDelete, mcpClient, textOf } from '../helpers/mcp-client.ts';
import { connectAs } from '../helpers/oauth.ts';
import { simulator } from '../helpers/worker.ts';

/**
 * delete_generation through the real MCP client, the Worker's OAuth and the user's key store,
 * against the Luma simulator. Each test connects a fresh account so that the simulator's record
 * of requests for that key is the test's own.
 */
let apiKey: string;
let ids: string[];
let client: Client;

beforeEach(async () => {
  const account = await simulator.createAccount(3);
  apiKey = account.apiKey;
  ids = account.generations.map((generation) => generation.id);
  client = await mcpClient((await connectAs(apiKey)).accessToken);
});

afterEach(async () => {
  await client.close();
});

/** Requests that reached Luma with this key, leaving out the consent page's key check. */
async function upstreamCalls() {
  return (await simulator.requestsFor(apiKey)).filter((request) => request.path !== '/credits');
}

describe('delete_generation is described honestly', () => {
  it('is listed with its annotations, a required string input and an output schema', async () => {
    const { tools } = await client.listTools();
    const tool = tools.find((candidate) => candidate.name === 'delete_generation')!;
    expect(tool.title ?? tool.annotations?.title).toBeTruthy();
    expect(tool.annotations).toMatchObject({ destructiveHint: true, idempotentHint: true, readOnlyHint: false, openWorldHint: true });
    expect(tool.inputSchema.required).toEqual(['generation_id']);
    expect((tool.inputSchema.properties as Record<string, { type?: string }>).generation_id?.type).toBe('string');
    expect(tool.outputSchema?.properties).toHaveProperty('outcome');
  });
});

describe('delete_generation succeeds', () => {
  it('deletes the generation and reports success for Luma\'s empty 204', async () => {
    const result = await callDelete(client, ids[0]);
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ generation_id: ids[0], outcome: 'deleted' });
    expect(Date.parse(String(result.structuredContent?.timestamp))).not.toBeNaN();
    expect(textOf(result)).toContain(`Deleted generation ${ids[0]}`);
    expect((await simulator.account(apiKey)).deletedIds).toEqual([ids[0]]);
    expect(await upstreamCalls()).toMatchObject([{ method: 'DELETE', path: `/generations/${ids[0]}`, status: 204 }]);
  });

  it('accepts an upper-case ID and deletes the canonical one', async () => {
    const result = await callDelete(client, ids[1]!.toUpperCase());
    expect(result.isError).toBeFalsy();
    expect((await simulator.account(apiKey)).deletedIds).toEqual([ids[1]]);
  });

  it('reports a delete whose answer was lost but which Luma carried out, once the retry finds it gone (it was read before)', async () => {
    await client.callTool({ name: 'get_generation', arguments: { generation_id: ids[0] } });
    await simulator.injectFault({ apiKey, method: 'DELETE', drop: true, applyAfterHandling: true, times: 1 });
    const result = await callDelete(client, ids[0]);
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ outcome: 'deleted' });
    expect(String(result.structuredContent?.note)).toContain('first attempt deleted it');
  });

  it('without an earlier read, a lost answer then a 404 is not claimed as deleted', async () => {
    await simulator.injectFault({ apiKey, method: 'DELETE', drop: true, applyAfterHandling: true, times: 1 });
    const result = await callDelete(client, ids[0]);
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ outcome: 'gone_unconfirmed' });
    expect(textOf(result)).toContain('not confirmed');
    expect(textOf(result)).not.toContain('Deleted generation');
  });

  it('remembers across calls a delete whose answer was lost: the repeat\'s 404 is that delete, and it is logged', async () => {
    await client.callTool({ name: 'list_generations', arguments: {} });
    // Luma deletes it but the answer is lost, and every retry in that call fails too.
    await simulator.injectFault({ apiKey, method: 'DELETE', drop: true, applyAfterHandling: true, times: 1 });
    await simulator.injectFault({ apiKey, method: 'DELETE', status: 503, times: 2 });
    const first = await callDelete(client, ids[0]);
    expect(first.structuredContent).toMatchObject({ outcome: 'failed', error: { code: 'luma_unavailable' } });
    const repeat = await callDelete(client, ids[0]);
    expect(repeat.isError).toBeFalsy();
    expect(repeat.structuredContent).toMatchObject({ outcome: 'deleted' });
    expect(String(repeat.structuredContent?.note)).toContain('first attempt deleted it');
  });

  it('rides out a passing 503 with a retry', async () => {
    await simulator.injectFault({ apiKey, method: 'DELETE', status: 503, times: 1 });
    const result = await callDelete(client, ids[0]);
    expect(result.isError).toBeFalsy();
    expect((await upstreamCalls()).map((request) => request.status)).toEqual([503, 204]);
  });
});

describe('delete_generation refuses bad IDs before any request', () => {
  const badIds: Array<[string, unknown]> = [
    ['a path traversal', '../credits'],
    ['a bare ..', '..'],
    ['an encoded traversal', '%2e%2e'],
    ['an encoded slash', `..%2Fcredits`],
    ['an empty string', ''],
    ['whitespace', '   '],
    ['a 10 KB string', 'a'.repeat(10_240)],
    ['a UUID with a suffix', '123e4567-e89b-12d3-a456-426614174000/../../credits'],
    ['a UUID with a query', '123e4567-e89b-12d3-a456-426614174000?x=1'],
    ['a number', 42],
    ['null', null],
    ['an object', { id: '123e4567-e89b-12d3-a456-426614174000' }],
    ['an array', ['123e4567-e89b-12d3-a456-426614174000']],
  ];

  it.each(badIds)('rejects %s with a clear error', async (_label, badId) => {
    const result = await callDelete(client, badId);
    expect(result.isError).toBe(true);
    const text = textOf(result);
    expect(text).toContain('Invalid generation_id');
    expect(text).toContain('Nothing was deleted');
    expect(text.length).toBeLessThan(600);
    expect(await upstreamCalls()).toEqual([]);
    expect((await simulator.account(apiKey)).generations).toHaveLength(3);
  });

  it('rejects a call without generation_id', async () => {
    const result = await client.callTool({ name: 'delete_generation', arguments: {} });
    expect(result.isError).toBe(true);
    expect(textOf(result as never)).toContain('generation_id is required');
    expect(await upstreamCalls()).toEqual([]);
  });
});

describe('delete_generation without a connected key', () => {
  it('says to reconnect, and makes no request', async () => {
    // The user's stored key disappears while their token is still valid.
    const store = userStoreFor(env, await userIdForLumaKey(apiKey, env.USER_ID_SECRET!));
    await runInDurableObject(store, (_instance, state) => state.storage.delete('luma-key'));
    const result = await callDelete(client, ids[0]);
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ outcome: 'failed', error: { code: 'no_api_key' } });
    expect(textOf(result)).toContain('Reconnect');
    expect(await upstreamCalls()).toEqual([]);
  });
});

describe('delete_generation reports every upstream failure as a failure', () => {
  it('not found (404), with Luma\'s detail', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const result = await callDelete(client, missing);
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ outcome: 'failed', error: { code: 'not_found', luma_status: 404 } });
    expect(textOf(result)).toMatch(/no such generation/i);
    expect(textOf(result)).toContain('Luma said:');
  });

  it('key rejected (401): tells the person to reconnect', async () => {
    await simulator.injectFault({ apiKey, method: 'DELETE', status: 401, detail: 'Invalid API key is provided', times: 1 });
    const result = await callDelete(client, ids[0]);
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ error: { code: 'key_rejected', luma_status: 401, luma_detail: 'Invalid API key is provided' } });
    expect(textOf(result)).toContain('Reconnect');
    expect(textOf(result)).not.toContain(apiKey);
    expect((await simulator.account(apiKey)).deletedIds).toEqual([]);
  });

  it('key forbidden (403): same advice', async () => {
    await simulator.injectFault({ apiKey, method: 'DELETE', status: 403, detail: 'Forbidden', times: 1 });
    const result = await callDelete(client, ids[0]);
    expect(result.structuredContent).toMatchObject({ error: { code: 'key_rejected', luma_status: 403 } });
  });

  it('rate limited (429) beyond what we wait for: says when to retry, without waiting', async () => {
    await simulator.injectFault({ apiKey, method: 'DELETE', status: 429, headers: { 'Retry-After': '30' }, detail: 'Too many requests', times: 1 });
    const result = await callDelete(client, ids[0]);
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ error: { code: 'rate_limited', retry_after_seconds: 30 } });
    expect(textOf(result)).toContain('Try again in 30 seconds');
    expect((await upstreamCalls()).length).toBe(1);
  });

  it('rate limited briefly: honours Retry-After and succeeds', async () => {
    await simulator.injectFault({ apiKey, method: 'DELETE', status: 429, headers: { 'Retry-After': '1' }, times: 1 });
    const result = await callDelete(client, ids[0]);
    expect(result.isError).toBeFalsy();
    expect((await upstreamCalls()).map((request) => request.status)).toEqual([429, 204]);
  });

  it('unavailable after retries (5xx)', async () => {
    await simulator.injectFault({ apiKey, method: 'DELETE', status: 502, detail: 'Bad gateway', times: 3 });
    const result = await callDelete(client, ids[0]);
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ error: { code: 'luma_unavailable', luma_status: 502 } });
    expect(textOf(result)).toContain('after 3 attempts');
    expect(textOf(result)).toContain('safe');
    expect((await upstreamCalls()).length).toBe(3);
  });

  it('unavailable after retries (timeout)', async () => {
    await simulator.injectFault({ apiKey, method: 'DELETE', delayMs: 1_500, times: 3 });
    const result = await callDelete(client, ids[0]);
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ error: { code: 'luma_unavailable' } });
    expect(textOf(result)).toContain('did not answer in time');
  });

  it('unavailable after retries (dropped connections)', async () => {
    await simulator.injectFault({ apiKey, method: 'DELETE', drop: true, times: 3 });
    const result = await callDelete(client, ids[0]);
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ error: { code: 'luma_unavailable' } });
    expect(textOf(result)).toContain('could not be reached');
  });

  it('other refusals (400), with the detail', async () => {
    // A 400 might be a strict server refusing the DELETE's body: the client tries once without it.
    await simulator.injectFault({ apiKey, method: 'DELETE', status: 400, detail: 'Generation is still processing', times: 2 });
    const result = await callDelete(client, ids[0]);
    expect(result.structuredContent).toMatchObject({ error: { code: 'luma_rejected', luma_detail: 'Generation is still processing' } });
    expect((await upstreamCalls()).map((request) => request.status)).toEqual([400, 400]);
    expect((await simulator.account(apiKey)).deletedIds).toEqual([]);
  });
});
