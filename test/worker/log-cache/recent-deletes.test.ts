import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { userIdForLumaKey } from '../../../src/worker/auth/user-id.ts';
import { RecentDeletesCache, type CachedDeletes } from '../../../src/worker/log-cache/recent-deletes-cache.ts';
import type { DeleteEntry, DeletesPage } from '../../../src/core/account/deletes-log.ts';
import { accountOf, userStoreFor, type UserStore } from '../../../src/worker/user-store/user-store.ts';
import { callDelete, mcpClient, textOf } from '../helpers/mcp-client.ts';
import { connectAs } from '../helpers/oauth.ts';
import { simulator } from '../helpers/worker.ts';

/** A user with `count` generations and `sessions` MCP sessions, all through the real OAuth flow. */
async function user(count: number, sessions = 1, clientName = 'Test client') {
  const account = await simulator.createAccount(count);
  const { accessToken } = await connectAs(account.apiKey, clientName);
  const clients: Client[] = [];
  for (let i = 0; i < sessions; i++) clients.push(await mcpClient(accessToken));
  const userId = await userIdForLumaKey(account.apiKey, env.USER_ID_SECRET!);
  return {
    ...account,
    ids: account.generations.map((generation) => generation.id),
    client: clients[0]!,
    clients,
    userId,
    store: userStoreFor(env, userId),
    async close() {
      await Promise.all(clients.map((client) => client.close()));
    },
  };
}

async function listDeletes(client: Client, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name: 'list_recent_deletes', arguments: args })) as CallToolResult;
  expect(result.isError).toBeFalsy();
  return result.structuredContent as { entries: DeleteEntry[]; next_cursor?: string; source: string };
}

async function deleteRequests(apiKey: string) {
  return (await simulator.requestsFor(apiKey)).filter((request) => request.method === 'DELETE');
}

/** The user's log as its Durable Object holds it, newest first. */
async function logOf(store: DurableObjectStub<UserStore>, userId: string): Promise<DeleteEntry[]> {
  return ((await store.call(userId, 'listDeletes', [{ limit: 1_000 }])) as DeletesPage).entries;
}

/** What the object knows about its KV copy (written version, failures, whether repair stopped). */
function edgeStateOf(instance: UserStore) {
  return (instance as unknown as { edgeCopy: { state(): { written_version: number; failures: number; stopped: string | null } } }).edgeCopy.state();
}

async function kvCopyOf(userId: string): Promise<CachedDeletes | null> {
  return env.DELETES_CACHE.get<CachedDeletes>(RecentDeletesCache.key(userId), 'json');
}

describe('repeat deletes', () => {
  it('are answered from the log with the original time, and no second DELETE reaches Luma', async () => {
    const alice = await user(2, 2, 'Claude');
    const first = await callDelete(alice.client, alice.ids[0]);
    const again = await callDelete(alice.clients[1]!, alice.ids[0]);
    expect(again.isError).toBeFalsy();
    expect(again.structuredContent).toMatchObject({
      outcome: 'already_deleted',
      deleted_at: first.structuredContent?.deleted_at,
      deleted_by: 'Claude',
    });
    expect(textOf(again)).toContain('already deleted');
    expect(await deleteRequests(alice.apiKey)).toHaveLength(1);
    await alice.close();
  });

  it('of the same ID at the same moment from several sessions share one upstream DELETE', async () => {
    const alice = await user(1, 3);
    // Luma takes 300 ms to answer, so all three calls arrive while the first DELETE is in flight:
    // without sharing it, the others would send DELETEs of their own (and one would end not_found).
    await simulator.injectFault({ apiKey: alice.apiKey, method: 'DELETE', delayMs: 300, times: 1 });
    const results = await Promise.all(alice.clients.map((client) => callDelete(client, alice.ids[0])));
    expect(results.every((result) => !result.isError)).toBe(true);
    // All three are the one delete (none was answered from the log after it finished).
    expect(results.map((result) => result.structuredContent?.outcome)).toEqual(['deleted', 'deleted', 'deleted']);
    expect(results.map((result) => result.structuredContent?.deleted_at)).toEqual(Array(3).fill(results[0]!.structuredContent?.deleted_at));
    expect(await deleteRequests(alice.apiKey)).toHaveLength(1);
    expect(await logOf(alice.store, alice.userId)).toHaveLength(1);
    await alice.close();
  });

  it('of an ID Luma does not know stay a not-found error and are not logged', async () => {
    const alice = await user(1);
    const missing = '00000000-0000-4000-8000-00000000beef';
    for (let i = 0; i < 2; i++) {
      const result = await callDelete(alice.client, missing);
      expect(result.structuredContent).toMatchObject({ outcome: 'failed', error: { code: 'not_found' } });
    }
    expect(await logOf(alice.store, alice.userId)).toEqual([]);
    await alice.close();
  });
});

describe('the log records', () => {
  it('each delete with its time, outcome and the app that asked', async () => {
    const alice = await user(1, 1, 'Cursor');
    const before = Date.now();
    await callDelete(alice.client, alice.ids[0]);
    const [entry] = await logOf(alice.store, alice.userId);
    expect(entry).toMatchObject({ generation_id: alice.ids[0], outcome: 'deleted', confirmed_by: 'luma', client: { name: 'Cursor' } });
    expect(entry!.client.id).toBeTruthy();
    expect(Date.parse(entry!.deleted_at)).toBeGreaterThanOrEqual(before - 1_000);
    await alice.close();
  });

  it('what an earlier read learned about the generation, without an extra request on the delete path', async () => {
    const alice = await user(1);
    const generation = alice.generations[0]!;
    await alice.store.rememberGeneration(alice.userId, generation.id, {
      generation_type: generation.generation_type,
      model: generation.model,
      prompt: generation.request.prompt,
      created_at: generation.created_at,
    });
    await callDelete(alice.client, generation.id);
    const [entry] = await logOf(alice.store, alice.userId);
    expect(entry!.generation).toEqual({
      generation_type: generation.generation_type,
      model: generation.model,
      prompt: generation.request.prompt,
      created_at: generation.created_at,
    });
    expect((await simulator.requestsFor(alice.apiKey)).filter((request) => request.path !== '/credits')).toHaveLength(1);
    await alice.close();
  });
});

describe('list_recent_deletes and the luma://deletes/recent resource', () => {
  it('list newest first from the edge copy, page with a cursor, and filter by time', async () => {
    const alice = await user(5);
    for (const id of alice.ids) await callDelete(alice.client, id);
    const newestFirst = [...alice.ids].reverse();
    // The copy is written on the object's alarm, a moment after the last delete.
    await vi.waitFor(async () => expect((await kvCopyOf(alice.userId))?.entries).toHaveLength(5), { timeout: 5_000 });

    const all = await listDeletes(alice.client);
    expect(all.source).toBe('edge_cache');
    expect(all.entries.map((entry) => entry.generation_id)).toEqual(newestFirst);

    const first = await listDeletes(alice.client, { limit: 2 });
    expect(first.entries.map((entry) => entry.generation_id)).toEqual(newestFirst.slice(0, 2));
    const second = await listDeletes(alice.client, { limit: 2, cursor: first.next_cursor });
    expect(second.entries.map((entry) => entry.generation_id)).toEqual(newestFirst.slice(2, 4));
    const third = await listDeletes(alice.client, { limit: 2, cursor: second.next_cursor });
    expect(third.entries.map((entry) => entry.generation_id)).toEqual(newestFirst.slice(4));
    expect(third.next_cursor).toBeUndefined();

    const cut = all.entries[2]!.deleted_at;
    const older = await listDeletes(alice.client, { before: cut });
    expect(older.entries.every((entry) => entry.deleted_at < cut)).toBe(true);

    const resource = await alice.client.readResource({ uri: 'luma://deletes/recent' });
    const content = resource.contents[0] as { mimeType: string; text: string };
    expect(content.mimeType).toBe('application/json');
    expect(JSON.parse(content.text).entries).toEqual(all.entries);
    await alice.close();
  });

  it('are read-only and described as such', async () => {
    const alice = await user(0);
    const { tools } = await alice.client.listTools();
    const list = tools.find((tool) => tool.name === 'list_recent_deletes')!;
    expect(list.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(list.outputSchema?.properties).toHaveProperty('entries');
    const { resources } = await alice.client.listResources();
    expect(resources.map((resource) => resource.uri)).toContain('luma://deletes/recent');
    await alice.close();
  });

  it('reject a limit out of range without reading anything', async () => {
    const alice = await user(0);
    const result = (await alice.client.callTool({ name: 'list_recent_deletes', arguments: { limit: 1_000 } })) as CallToolResult;
    expect(result.isError).toBe(true);
    await alice.close();
  });
});

describe('clearing the log', () => {
  it('empties it, edge copy included; the generations stay deleted', async () => {
    const alice = await user(2);
    for (const id of alice.ids) await callDelete(alice.client, id);
    const result = (await alice.client.callTool({ name: 'clear_recent_deletes', arguments: {} })) as CallToolResult;
    expect(result.structuredContent).toEqual({ cleared: 2 });
    // At once for this session (the copy in KV may still list them: it is skipped)…
    expect((await listDeletes(alice.client)).entries).toEqual([]);
    // …and the copy follows within a second or so.
    await vi.waitFor(async () => expect((await kvCopyOf(alice.userId))?.entries).toEqual([]), { timeout: 5_000 });
    expect((await listDeletes(alice.client)).entries).toEqual([]);
    expect((await simulator.account(alice.apiKey)).deletedIds).toEqual(alice.ids);
    await alice.close();
  });
});

describe('two users', () => {
  it('each see only their own entries, through the tool and the resource, and cannot clear each other\'s', async () => {
    const alice = await user(2);
    const bob = await user(2);
    await callDelete(alice.client, alice.ids[0]);
    await callDelete(bob.client, bob.ids[0]);
    await callDelete(bob.client, bob.ids[1]);

    expect((await listDeletes(alice.client)).entries.map((entry) => entry.generation_id)).toEqual([alice.ids[0]]);
    expect((await listDeletes(bob.client)).entries.map((entry) => entry.generation_id)).toEqual([bob.ids[1], bob.ids[0]]);
    const bobResource = JSON.parse(((await bob.client.readResource({ uri: 'luma://deletes/recent' })).contents[0] as { text: string }).text);
    expect(bobResource.entries.map((entry: DeleteEntry) => entry.generation_id)).toEqual([bob.ids[1], bob.ids[0]]);

    await bob.client.callTool({ name: 'clear_recent_deletes', arguments: {} });
    expect((await listDeletes(alice.client)).entries).toHaveLength(1);
    // A repeat delete by Bob of Alice's ID is not answered from Alice's log.
    const attempt = await callDelete(bob.client, alice.ids[0]);
    expect(attempt.structuredContent).toMatchObject({ error: { code: 'not_found' } });
    await alice.close();
    await bob.close();
  });
});

describe('under load', () => {
  it('50 parallel deletes from several sessions: every accepted one logged once, no failed one logged, KV equal to the log', async () => {
    const alice = await user(50, 5);
    // Ten of them fail for good at Luma.
    const failing = new Set(alice.ids.slice(0, 10));
    for (const id of failing) await simulator.injectFault({ apiKey: alice.apiKey, method: 'DELETE', path: `/generations/${id}`, status: 500, times: 3 });

    const results = await Promise.all(alice.ids.map((id, index) => callDelete(alice.clients[index % 5]!, id)));
    const accepted = new Set((await simulator.account(alice.apiKey)).deletedIds);
    results.forEach((result, index) => {
      expect(Boolean(result.isError)).toBe(failing.has(alice.ids[index]!));
    });
    expect(accepted.size).toBe(40);

    const log = await logOf(alice.store, alice.userId);
    const logged = log.map((entry) => entry.generation_id);
    expect(new Set(logged).size).toBe(logged.length);
    expect(new Set(logged)).toEqual(accepted);

    await vi.waitFor(async () => expect((await kvCopyOf(alice.userId))?.entries).toEqual(log), { timeout: 5_000 });
    await alice.close();
  });
});

describe('when KV fails', () => {
  const failingCache = () =>
    ({
      read: async () => {
        throw new Error('KV get failed (injected)');
      },
      write: async () => {
        throw new Error('KV put failed (injected)');
      },
    }) as unknown as RecentDeletesCache;

  it('deletes still succeed, nothing is lost, and the copy is repaired on the alarm with backoff', async () => {
    const alice = await user(3);
    await runInDurableObject(alice.store, (instance: UserStore) => {
      instance.cache = failingCache();
    });

    for (const id of alice.ids.slice(0, 2)) {
      const result = await callDelete(alice.client, id);
      expect(result.isError).toBeFalsy();
    }
    const log = await logOf(alice.store, alice.userId);
    expect(log.map((entry) => entry.generation_id)).toEqual([alice.ids[1], alice.ids[0]]);
    // The object's own read of what it wrote: the write failed, and a retry is scheduled.
    await vi.waitFor(
      async () => {
        const state = await runInDurableObject(alice.store, async (instance: UserStore, ctx) => ({ edge: edgeStateOf(instance), alarm: await ctx.storage.getAlarm() }));
        expect(state.edge.failures).toBeGreaterThan(0);
        expect(state.alarm).not.toBeNull();
      },
      { timeout: 5_000 },
    );
    expect((await kvCopyOf(alice.userId))?.entries ?? []).not.toEqual(log);
    // Meanwhile the person's session still sees its deletes: the copy is behind, so the log answers.
    expect((await listDeletes(alice.client)).entries.map((entry) => entry.generation_id)).toEqual([alice.ids[1], alice.ids[0]]);

    // KV recovers: the scheduled retry rewrites the copy.
    await runInDurableObject(alice.store, (instance: UserStore) => {
      instance.cache = new RecentDeletesCache(env.DELETES_CACHE);
    });
    await vi.waitFor(async () => expect((await kvCopyOf(alice.userId))?.entries).toEqual(log), { timeout: 10_000 });

    // And a later change keeps it right.
    await callDelete(alice.client, alice.ids[2]);
    const after = await logOf(alice.store, alice.userId);
    await vi.waitFor(async () => expect((await kvCopyOf(alice.userId))?.entries).toEqual(after), { timeout: 5_000 });
    await alice.close();
  });

  it('reads fall back to the log when KV reads fail', async () => {
    const alice = await user(1);
    await callDelete(alice.client, alice.ids[0]);
    // The reader runs in the session's MCP agent; swap its KV binding's get for a failing one.
    const { readRecentDeletes } = await import('../../../src/worker/log-cache/read-recent-deletes.ts');
    const page = await readRecentDeletes(alice.userId, { limit: 10 }, failingCache(), (query) => accountOf(env, alice.userId).listDeletes(query));
    expect(page.source).toBe('log');
    expect(page.entries.map((entry) => entry.generation_id)).toEqual([alice.ids[0]]);
    await alice.close();
  });
});
