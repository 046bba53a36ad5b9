import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeleteEntry, DeletesPage } from '../../../src/core/account/deletes-log.ts';
import { userIdForLumaKey } from '../../../src/worker/auth/user-id.ts';
import { userStoreFor, type UserStore } from '../../../src/worker/user-store/user-store.ts';
import type { SimFault } from '../../support/simulator-control.ts';
import { callDelete, mcpClient, textOf } from '../helpers/mcp-client.ts';
import { connectAs } from '../helpers/oauth.ts';
import { simulator } from '../helpers/worker.ts';

/**
 * The deletes log never claims what it cannot show, and never loses what Luma did: the evidence
 * rule, durable intents across object restarts, and a crash between Luma's answer and the log
 * write, all through the real MCP client, OAuth and user object, against the Luma simulator.
 */
const open: Client[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
});

async function user(count = 3) {
  const account = await simulator.createAccount(count);
  const client = await mcpClient((await connectAs(account.apiKey)).accessToken);
  open.push(client);
  const userId = await userIdForLumaKey(account.apiKey, env.USER_ID_SECRET!);
  return { ...account, ids: account.generations.map((generation) => generation.id), client, userId, store: () => userStoreFor(env, userId) };
}

type User = Awaited<ReturnType<typeof user>>;

async function logOf(alice: User): Promise<DeleteEntry[]> {
  return ((await alice.store().call(alice.userId, 'listDeletes', [{ limit: 1_000 }])) as DeletesPage).entries;
}

async function openIntents(alice: User): Promise<number> {
  return runInDurableObject(alice.store(), (instance: UserStore) => (instance as unknown as { intents: { count(): number } }).intents.count());
}

async function read(alice: User, id: string) {
  const result = (await alice.client.callTool({ name: 'get_generation', arguments: { generation_id: id } })) as CallToolResult;
  expect(result.isError).toBeFalsy();
}

async function deletesSent(apiKey: string) {
  return (await simulator.requestsFor(apiKey)).filter((request) => request.method === 'DELETE');
}

/** One passing fault on the first DELETE of `id`: the attempt's answer is lost or useless. */
const FAULTS: Array<[string, (apiKey: string, id: string) => SimFault]> = [
  ['a 502', (apiKey, id) => ({ apiKey, method: 'DELETE', path: `/generations/${id}`, status: 502, times: 1 })],
  ['a timeout', (apiKey, id) => ({ apiKey, method: 'DELETE', path: `/generations/${id}`, delayMs: 1_500, times: 1 })],
  ['a dropped connection', (apiKey, id) => ({ apiKey, method: 'DELETE', path: `/generations/${id}`, drop: true, times: 1 })],
];

describe('phantom deletes: a 404 after an unheard attempt is not claimed without evidence', () => {
  it.each(FAULTS)('an ID that never existed, after %s: gone_unconfirmed, not logged as deleted', async (_label, fault) => {
    const alice = await user(1);
    const never = crypto.randomUUID();
    await simulator.injectFault(fault(alice.apiKey, never));
    const result = await callDelete(alice.client, never);
    expect(result.structuredContent).toMatchObject({ generation_id: never, outcome: 'gone_unconfirmed' });
    expect(textOf(result)).not.toMatch(/Deleted generation|first attempt deleted it|Nothing was deleted/);
    expect(await logOf(alice)).toMatchObject([{ generation_id: never, outcome: 'gone_unconfirmed' }]);
    expect((await logOf(alice)).filter((entry) => entry.outcome === 'deleted')).toEqual([]);
    expect(await openIntents(alice)).toBe(0);
    // A repeat is answered from the log the same way, without claiming more or asking Luma again.
    const sent = (await deletesSent(alice.apiKey)).length;
    const again = await callDelete(alice.client, never);
    expect(again.structuredContent).toMatchObject({ outcome: 'gone_unconfirmed' });
    expect(textOf(again)).toContain('nothing more was sent to Luma');
    expect((await deletesSent(alice.apiKey)).length).toBe(sent);
  });

  it.each(FAULTS)('another account\'s generation, after %s: not claimed, not logged as deleted, still there upstream', async (_label, fault) => {
    const alice = await user(1);
    const bob = await simulator.createAccount(1);
    const bobs = bob.generations[0]!.id;
    await simulator.injectFault(fault(alice.apiKey, bobs));
    const result = await callDelete(alice.client, bobs);
    expect(result.structuredContent?.outcome).not.toBe('deleted');
    expect(result.structuredContent).toMatchObject({ outcome: 'gone_unconfirmed' });
    expect((await logOf(alice)).filter((entry) => entry.outcome === 'deleted')).toEqual([]);
    expect((await simulator.account(bob.apiKey)).generations.map((generation) => generation.id)).toContain(bobs);
  });

  it('a plain 404 with no unheard attempt stays not_found, and is not logged', async () => {
    const alice = await user(1);
    const result = await callDelete(alice.client, crypto.randomUUID());
    expect(result.structuredContent).toMatchObject({ outcome: 'failed', error: { code: 'not_found' } });
    expect(await logOf(alice)).toEqual([]);
    expect(await openIntents(alice)).toBe(0);
  });
});

describe('lost deletes: every answer lost, the object restarts, the person repeats', () => {
  async function loseEveryAnswer(alice: User, id: string) {
    // Luma deletes it, the answer is dropped, and both retries get 503: the call cannot know.
    await simulator.injectFault({ apiKey: alice.apiKey, method: 'DELETE', path: `/generations/${id}`, drop: true, applyAfterHandling: true, times: 1 });
    await simulator.injectFault({ apiKey: alice.apiKey, method: 'DELETE', path: `/generations/${id}`, status: 503, times: 2 });
    const first = await callDelete(alice.client, id);
    expect(first.structuredContent).toMatchObject({ outcome: 'failed', error: { code: 'luma_unavailable' } });
    expect((await simulator.account(alice.apiKey)).deletedIds).toEqual([id]);
    // The intent is on disk, not in memory…
    expect(await openIntents(alice)).toBe(1);
    // …and the object loses everything else it had in memory.
    await evictDurableObject(alice.store());
    expect(await openIntents(alice)).toBe(1);
  }

  it('with evidence (the generation was read before): deleted, logged once', async () => {
    const alice = await user(2);
    const id = alice.ids[0]!;
    await read(alice, id);
    await loseEveryAnswer(alice, id);
    const repeat = await callDelete(alice.client, id);
    expect(repeat.isError).toBeFalsy();
    expect(repeat.structuredContent).toMatchObject({ outcome: 'deleted' });
    expect(String(repeat.structuredContent?.note)).toContain('first attempt deleted it');
    expect(await logOf(alice)).toMatchObject([{ generation_id: id, outcome: 'deleted', confirmed_by: 'gone_after_retry' }]);
    expect(await openIntents(alice)).toBe(0);
    // A third call is answered from the log: nothing more reaches Luma.
    const sent = (await deletesSent(alice.apiKey)).length;
    expect((await callDelete(alice.client, id)).structuredContent).toMatchObject({ outcome: 'already_deleted' });
    expect((await deletesSent(alice.apiKey)).length).toBe(sent);
    expect(await logOf(alice)).toHaveLength(1);
  });

  it('without evidence: gone_unconfirmed, never not_found', async () => {
    const alice = await user(2);
    const id = alice.ids[0]!;
    await loseEveryAnswer(alice, id);
    const repeat = await callDelete(alice.client, id);
    expect(repeat.isError).toBeFalsy();
    expect(repeat.structuredContent).toMatchObject({ outcome: 'gone_unconfirmed' });
    expect(await logOf(alice)).toMatchObject([{ generation_id: id, outcome: 'gone_unconfirmed' }]);
    expect(await openIntents(alice)).toBe(0);
  });

  it('a definite refusal settles the intent: nothing is left open', async () => {
    const alice = await user(1);
    await simulator.injectFault({ apiKey: alice.apiKey, method: 'DELETE', status: 403, times: 1 });
    const result = await callDelete(alice.client, alice.ids[0]);
    expect(result.structuredContent).toMatchObject({ error: { code: 'key_rejected' } });
    expect(await openIntents(alice)).toBe(0);
  });
});

describe('a crash between Luma\'s 204 and the log write', () => {
  it('leaves the intent, and the repeat after a restart logs the delete once', async () => {
    const alice = await user(2);
    const id = alice.ids[0]!;
    await read(alice, id);
    // The log write fails as if the process died right after Luma answered.
    await runInDurableObject(alice.store(), (instance: UserStore) => {
      (instance as unknown as { log: { append: () => Promise<never> } }).log.append = async () => {
        throw new Error('injected crash before the log write');
      };
    });
    const first = await callDelete(alice.client, id);
    expect(first.structuredContent).toMatchObject({ outcome: 'failed', error: { code: 'internal_error' } });
    expect(textOf(first)).toContain('It is not known whether the delete reached Luma');
    expect((await simulator.account(alice.apiKey)).deletedIds).toEqual([id]);
    expect(await logOf(alice)).toEqual([]);
    expect(await openIntents(alice)).toBe(1);

    await evictDurableObject(alice.store());
    const repeat = await callDelete(alice.client, id);
    expect(repeat.structuredContent).toMatchObject({ outcome: 'deleted' });
    expect(await logOf(alice)).toMatchObject([{ generation_id: id, outcome: 'deleted', confirmed_by: 'gone_after_retry' }]);
    expect((await deletesSent(alice.apiKey)).map((request) => request.status)).toEqual([204, 404]);
    expect(await openIntents(alice)).toBe(0);
  });
});

describe('a strict server that refuses a body on DELETE', () => {
  it.each([411, 415, 400] as const)('answering %i: deletes still work, with one plain retry, and later deletes go plain at once', async (status) => {
    const account = await simulator.createAccount(3, { refuseDeleteBodies: status });
    const client = await mcpClient((await connectAs(account.apiKey)).accessToken);
    open.push(client);
    const [a, b] = account.generations.map((generation) => generation.id);
    for (const id of [a, b]) {
      const result = await callDelete(client, id);
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ outcome: 'deleted' });
    }
    expect((await simulator.account(account.apiKey)).deletedIds).toEqual([a, b]);
    // The first DELETE (with its empty streamed body) was refused and sent again plain; the second went plain.
    expect((await deletesSent(account.apiKey)).map((request) => [request.path, request.status])).toEqual([
      [`/generations/${a}`, status],
      [`/generations/${a}`, 204],
      [`/generations/${b}`, 204],
    ]);
  });
});
