import { describe, expect, it } from 'vitest';
import type { DeleteEntry } from '../../../src/core/account/deletes-log.ts';
import { openDenoKvStorage } from '../../../src/deno/deno-kv-store.ts';
import { accountContract, type Storage } from '../../core/account/account-contract.ts';

/**
 * Deno KV keeps the self-hosted server's log, intents and preference: the account's delete rules
 * against it, restarts included (the KV file closed and opened again), and the log's own contract.
 */
const dir = Deno.env.get('DENO_KV_TEST_DIR');
if (!dir) throw new Error('DENO_KV_TEST_DIR is not set: run the Deno tests with `node test/deno/run-deno-tests.ts`');

type Opened = Storage & { close(): void; path: string };

async function openAt(path: string, now?: () => Date): Promise<Opened> {
  return { ...(await openDenoKvStorage(path, undefined, now)), path };
}

accountContract('Deno KV', {
  open: () => openAt(`${dir}/${crypto.randomUUID()}.kv`),
  async reopen(previous) {
    const opened = previous as Opened;
    opened.close();
    return openAt(opened.path);
  },
  close: (storage) => {
    try {
      (storage as Opened).close();
    } catch {
      // Already closed by a reopen.
    }
  },
});

const client = { id: 'bearer-token', name: 'test' };
function entry(n: number, deletedAt: string): DeleteEntry {
  return { generation_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, deleted_at: deletedAt, outcome: 'deleted', confirmed_by: 'luma', client };
}

describe('DenoKvDeletesLog', () => {
  it('keeps one entry per generation, lists newest first by cursor, filters by time, clears', async () => {
    const store = await openAt(`${dir}/${crypto.randomUUID()}.kv`);
    try {
      for (let n = 1; n <= 5; n++) await store.log.append(entry(n, new Date(Date.UTC(2026, 10, 25, 10, 0, n)).toISOString()));
      expect(await store.log.append(entry(3, new Date().toISOString()))).toEqual(entry(3, new Date(Date.UTC(2026, 10, 25, 10, 0, 3)).toISOString()));
      const first = await store.log.list({ limit: 2 });
      expect(first.entries.map((e) => e.generation_id.slice(-1))).toEqual(['5', '4']);
      const second = await store.log.list({ limit: 2, cursor: first.next_cursor });
      expect(second.entries.map((e) => e.generation_id.slice(-1))).toEqual(['3', '2']);
      const third = await store.log.list({ limit: 2, cursor: second.next_cursor });
      expect(third.entries.map((e) => e.generation_id.slice(-1))).toEqual(['1']);
      expect(third.next_cursor).toBeUndefined();
      const before = await store.log.list({ limit: 10, before: new Date(Date.UTC(2026, 10, 25, 10, 0, 3)).toISOString() });
      expect(before.entries.map((e) => e.generation_id.slice(-1))).toEqual(['2', '1']);
      expect(await store.log.clear()).toBe(5);
      expect((await store.log.list({ limit: 10 })).entries).toEqual([]);
      expect(await store.log.find(entry(1, '').generation_id)).toBeNull();
    } finally {
      store.close();
    }
  });

  it('keeps at most maxEntries and nothing older than maxAgeDays', async () => {
    const clock = { now: new Date('2026-01-01T00:00:00Z') };
    const path = `${dir}/${crypto.randomUUID()}.kv`;
    const kv = await openDenoKvStorage(path, { maxEntries: 3, maxAgeDays: 30 }, () => clock.now);
    try {
      for (let n = 1; n <= 5; n++) await kv.log.append(entry(n, clock.now.toISOString()));
      expect((await kv.log.list({ limit: 10 })).entries.map((e) => e.generation_id.slice(-1))).toEqual(['5', '4', '3']);
      clock.now = new Date('2026-02-15T00:00:00Z');
      await kv.log.append(entry(6, clock.now.toISOString()));
      expect((await kv.log.list({ limit: 10 })).entries.map((e) => e.generation_id.slice(-1))).toEqual(['6']);
      // Intents expire with the same retention.
      await kv.intents.put({ generation_id: 'old', recorded_at: '2026-01-01T00:00:00Z', client });
      await kv.intents.put({ generation_id: 'new', recorded_at: clock.now.toISOString(), client });
      expect(await kv.intents.get('old')).toBeNull();
      expect(await kv.intents.get('new')).not.toBeNull();
    } finally {
      kv.close();
    }
  });
});
