import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeletesPage } from '../../../src/core/account/deletes-log.ts';
import { userIdForLumaKey } from '../../../src/worker/auth/user-id.ts';
import { EdgeCopy, MAX_REPAIR_ATTEMPTS, MIN_WRITE_INTERVAL_MS } from '../../../src/worker/log-cache/edge-copy.ts';
import { RecentDeletesCache, type CachedDeletes } from '../../../src/worker/log-cache/recent-deletes-cache.ts';
import { SqliteDeletesLog } from '../../../src/worker/user-store/sqlite-deletes-log.ts';
import { userStoreFor, type UserStore } from '../../../src/worker/user-store/user-store.ts';
import { callDelete, mcpClient } from '../helpers/mcp-client.ts';
import { connectAs } from '../helpers/oauth.ts';
import { simulator } from '../helpers/worker.ts';

/**
 * The KV copy of the log within Workers KV's limits: at most one write per user per second however
 * fast deletes come, none from reads, a copy older than the reader's own change never served,
 * and a repair that backs off and stops on a permanent failure.
 */
const open: Client[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
});

async function kvCopyOf(userId: string): Promise<CachedDeletes | null> {
  return env.DELETES_CACHE.get<CachedDeletes>(RecentDeletesCache.key(userId), 'json');
}

/** A cache that records when each write and removal happened (in the object's clock), then does it. */
class CountingCache extends RecentDeletesCache {
  writes: number[] = [];
  removals = 0;
  override async write(userId: string, snapshot: CachedDeletes): Promise<void> {
    this.writes.push(Date.now());
    await super.write(userId, snapshot);
  }
  override async remove(userId: string): Promise<void> {
    this.removals++;
    await super.remove(userId);
  }
}

async function user(count: number, sessions = 1) {
  const account = await simulator.createAccount(count);
  const { accessToken } = await connectAs(account.apiKey);
  const clients: Client[] = [];
  for (let i = 0; i < sessions; i++) clients.push(await mcpClient(accessToken));
  open.push(...clients);
  const userId = await userIdForLumaKey(account.apiKey, env.USER_ID_SECRET!);
  return { ...account, ids: account.generations.map((generation) => generation.id), clients, userId, store: userStoreFor(env, userId) };
}

async function writesOf(store: DurableObjectStub<UserStore>): Promise<{ writes: number[]; removals: number }> {
  return runInDurableObject(store, (instance: UserStore) => {
    const cache = instance.cache as CountingCache;
    return { writes: [...cache.writes], removals: cache.removals };
  });
}

describe('KV writes', () => {
  it('a 50-ID bulk delete then 200 reads: at most one write per second, none from the reads', { timeout: 40_000 }, async () => {
    const alice = await user(50, 4);
    await runInDurableObject(alice.store, (instance: UserStore) => {
      instance.cache = new CountingCache(env.DELETES_CACHE);
    });
    const started = Date.now();
    const bulk = (await alice.clients[0]!.callTool({ name: 'delete_generations', arguments: { generation_ids: alice.ids } })) as CallToolResult;
    expect(bulk.isError).toBeFalsy();
    expect(bulk.structuredContent).toMatchObject({ summary: { deleted: 50 } });
    // The copy catches up with the log shortly after the last delete.
    await vi.waitFor(async () => expect((await kvCopyOf(alice.userId))?.entries).toHaveLength(50), { timeout: 8_000 });
    const elapsed = Date.now() - started;

    const { writes } = await writesOf(alice.store);
    expect(writes.length).toBeGreaterThanOrEqual(1);
    for (let i = 1; i < writes.length; i++) expect(writes[i]! - writes[i - 1]!).toBeGreaterThanOrEqual(MIN_WRITE_INTERVAL_MS);
    // 50 deletes, but no more writes than whole seconds went by (plus the first).
    expect(writes.length).toBeLessThanOrEqual(Math.floor(elapsed / 1_000) + 1);
    expect(writes.length).toBeLessThan(50);

    // 200 reads from four sessions: the list tool, the resource and the first and later pages.
    const copyBefore = await kvCopyOf(alice.userId);
    const reads = Array.from({ length: 200 }, (_, index) => {
      const client = alice.clients[index % 4]!;
      if (index % 5 === 0) return client.readResource({ uri: 'luma://deletes/recent' });
      return client.callTool({ name: 'list_recent_deletes', arguments: index % 2 ? { limit: 10 } : { limit: 100 } });
    });
    const answers = await Promise.all(reads);
    expect(answers).toHaveLength(200);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await writesOf(alice.store)).writes).toEqual(writes);
    expect((await kvCopyOf(alice.userId))?.written_at).toBe(copyBefore?.written_at);
  });

  it('the person\'s own session sees a change at once, even while the copy is behind', async () => {
    const alice = await user(2);
    const [client] = alice.clients;
    await callDelete(client!, alice.ids[0]);
    await vi.waitFor(async () => expect((await kvCopyOf(alice.userId))?.entries).toHaveLength(1), { timeout: 5_000 });
    // Every change from now on stays out of KV: the copy is behind the log.
    await runInDurableObject(alice.store, (instance: UserStore) => {
      instance.cache = { write: async () => new Promise(() => {}), read: async () => null, remove: async () => {} } as unknown as RecentDeletesCache;
    });
    await callDelete(client!, alice.ids[1]);
    const page = (await client!.callTool({ name: 'list_recent_deletes', arguments: {} })) as CallToolResult;
    expect((page.structuredContent as { entries: { generation_id: string }[] }).entries.map((entry) => entry.generation_id)).toEqual([alice.ids[1], alice.ids[0]]);
    expect(page.structuredContent).toMatchObject({ source: 'log' });
    // The stale copy is still in KV (one entry), and was not served.
    expect((await kvCopyOf(alice.userId))?.entries).toHaveLength(1);

    await client!.callTool({ name: 'clear_recent_deletes', arguments: {} });
    const cleared = (await client!.callTool({ name: 'list_recent_deletes', arguments: {} })) as CallToolResult;
    expect(cleared.structuredContent).toMatchObject({ entries: [], source: 'log' });
  });
});

describe('repairing the copy', () => {
  /** An EdgeCopy on a real object's storage, with a clock and a cache the test controls. */
  async function withEdgeCopy<T>(fail: (attempt: number) => Error | undefined, run: (parts: { edge: EdgeCopy; log: SqliteDeletesLog; clock: { now: number }; calls: { writes: number; removals: number }; storage: DurableObjectStorage }) => Promise<T>) {
    const stub = env.USER_STORE.get(env.USER_STORE.newUniqueId());
    return runInDurableObject(stub, async (_instance, state) => {
      // In the future: an alarm set in the past would be moved to the real now.
      const clock = { now: Date.UTC(2030, 0, 1) };
      const calls = { writes: 0, removals: 0 };
      const cache = {
        async write() {
          calls.writes++;
          const error = fail(calls.writes);
          if (error) throw error;
        },
        async read() {
          return null;
        },
        async remove() {
          calls.removals++;
        },
      } as unknown as RecentDeletesCache;
      const log = new SqliteDeletesLog(state.storage.sql, undefined, () => new Date(clock.now));
      const edge = new EdgeCopy({ storage: state.storage, log, cache: () => cache, userId: async () => 'u_edge', now: () => clock.now });
      return run({ edge, log, clock, calls, storage: state.storage });
    });
  }

  const change = (log: SqliteDeletesLog, n: number) =>
    log.append({ generation_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, deleted_at: new Date().toISOString(), outcome: 'deleted', confirmed_by: 'luma', client: { id: 'c', name: 'c' } });

  it('stops at once on a permanent failure, says why, and removes the stale copy', async () => {
    const warnings: string[] = [];
    const spy = vi.spyOn(console, 'warn').mockImplementation((message: string) => void warnings.push(message));
    try {
      await withEdgeCopy(
        () => new Error('KV PUT failed: 413 Value too large'),
        async ({ edge, log, calls, storage }) => {
          await change(log, 1);
          await edge.changed();
          await edge.onAlarm();
          expect(calls).toEqual({ writes: 1, removals: 1 });
          expect(edge.state().stopped).toMatch(/refused the write for good.*413/);
          await storage.deleteAlarm();
          // No more attempts until the log changes again.
          await edge.onAlarm();
          expect(calls.writes).toBe(1);
        },
      );
    } finally {
      spy.mockRestore();
    }
    expect(warnings.some((line) => /stopped repairing the recent-deletes copy: KV refused the write for good \(KV PUT failed: 413/.test(line))).toBe(true);
  });

  it('backs off on passing failures, never faster than once a second, and gives up after a bounded number of tries', async () => {
    const spy = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      await withEdgeCopy(
        () => new Error('KV PUT failed: 503 Service Unavailable'),
        async ({ edge, log, clock, calls, storage }) => {
          await change(log, 1);
          await edge.changed();
          const delays: number[] = [];
          for (let round = 0; round < MAX_REPAIR_ATTEMPTS + 3; round++) {
            const before = calls.writes;
            await edge.onAlarm();
            const alarm = await storage.getAlarm();
            if (alarm === null) break;
            if (calls.writes > before) delays.push(alarm - clock.now);
            await storage.deleteAlarm();
            // An early alarm (the clock not there yet) writes nothing and reschedules.
            await edge.onAlarm();
            expect(calls.writes).toBe(before + 1);
            await storage.deleteAlarm();
            clock.now = alarm;
          }
          expect(calls.writes).toBe(MAX_REPAIR_ATTEMPTS);
          expect(delays, JSON.stringify(delays)).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000]);
          expect(edge.state().stopped).toMatch(/8 writes in a row failed/);
          expect(calls.removals).toBe(1);
        },
      );
    } finally {
      spy.mockRestore();
    }
  });

  it('a change after a stop starts the repair over', async () => {
    let failing = true;
    await withEdgeCopy(
      () => (failing ? new Error('KV PUT failed: 403 Forbidden') : undefined),
      async ({ edge, log, clock, calls }) => {
        const spy = vi.spyOn(console, 'warn').mockImplementation(() => {});
        await change(log, 1);
        await edge.changed();
        await edge.onAlarm();
        spy.mockRestore();
        expect(edge.state().stopped).not.toBeNull();
        failing = false;
        clock.now += 5_000;
        await change(log, 2);
        await edge.changed();
        await edge.onAlarm();
        expect(calls.writes).toBe(2);
        expect(edge.state()).toMatchObject({ stopped: null, failures: 0, written_version: log.version() });
      },
    );
  });
});

describe('reads', () => {
  it('of a user with no copy go to the log and write nothing', async () => {
    const alice = await user(1);
    await runInDurableObject(alice.store, (instance: UserStore) => {
      instance.cache = new CountingCache(env.DELETES_CACHE);
    });
    for (let i = 0; i < 5; i++) {
      const page = (await alice.clients[0]!.callTool({ name: 'list_recent_deletes', arguments: {} })) as CallToolResult;
      expect(page.structuredContent).toMatchObject({ entries: [], source: 'log' });
    }
    expect(await writesOf(alice.store)).toEqual({ writes: [], removals: 0 });
    expect(await kvCopyOf(alice.userId)).toBeNull();
    expect(((await alice.store.call(alice.userId, 'listDeletes', [{ limit: 10 }])) as DeletesPage).entries).toEqual([]);
  });
});

/** A cache whose writes wait at a gate the test opens. */
class GatedCache extends RecentDeletesCache {
  entered = false;
  private open!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.open = resolve));
  release(): void {
    this.open();
  }
  override async write(userId: string, snapshot: CachedDeletes): Promise<void> {
    this.entered = true;
    await this.gate;
    await super.write(userId, snapshot);
  }
}

describe('erasing everything', () => {
  it('a KV write already under way cannot bring erased entries back', { timeout: 20_000 }, async () => {
    const alice = await user(1);
    const gated = new GatedCache(env.DELETES_CACHE);
    await runInDurableObject(alice.store, (instance: UserStore) => {
      instance.cache = gated;
    });
    expect((await callDelete(alice.clients[0]!, alice.ids[0])).structuredContent).toMatchObject({ outcome: 'deleted' });
    // The alarm's write of the copy is now waiting at the gate.
    await vi.waitFor(() => expect(gated.entered).toBe(true), { timeout: 5_000 });
    const erased = alice.store.erase(alice.userId);
    await new Promise((resolve) => setTimeout(resolve, 300));
    gated.release();
    await erased;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await kvCopyOf(alice.userId)).toBeNull();
    expect(((await alice.store.call(alice.userId, 'listDeletes', [{ limit: 10 }])) as DeletesPage).entries).toEqual([]);
  });
});
