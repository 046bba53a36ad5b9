import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { DeleteEntry } from '../../../src/core/account/deletes-log.ts';
import { SqliteDeleteIntents } from '../../../src/worker/user-store/sqlite-delete-intents.ts';
import { SqliteDeletesLog } from '../../../src/worker/user-store/sqlite-deletes-log.ts';

/** The log on a real Durable Object's SQLite storage, with a clock the test moves. */
async function withLog<T>(retention: { maxEntries: number; maxAgeDays: number }, run: (log: SqliteDeletesLog, clock: { now: Date }) => Promise<T>) {
  const stub = env.USER_STORE.get(env.USER_STORE.newUniqueId());
  return runInDurableObject(stub, async (_instance, state) => {
    const clock = { now: new Date('2026-01-01T00:00:00Z') };
    return run(new SqliteDeletesLog(state.storage.sql, retention, () => clock.now), clock);
  });
}

function entry(id: number, at: Date): DeleteEntry {
  return {
    generation_id: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`,
    deleted_at: at.toISOString(),
    outcome: 'deleted',
    confirmed_by: 'luma',
    client: { id: 'client', name: 'Client' },
  };
}

describe('SqliteDeletesLog retention', () => {
  it('keeps at most maxEntries, dropping the oldest', async () => {
    const ids = await withLog({ maxEntries: 3, maxAgeDays: 90 }, async (log, clock) => {
      for (let i = 1; i <= 5; i++) await log.append(entry(i, clock.now));
      return (await log.list({ limit: 10 })).entries.map((e) => e.generation_id.slice(-1));
    });
    expect(ids).toEqual(['5', '4', '3']);
  });

  it('drops entries older than maxAgeDays on the next append', async () => {
    const ids = await withLog({ maxEntries: 100, maxAgeDays: 30 }, async (log, clock) => {
      await log.append(entry(1, clock.now));
      clock.now = new Date('2026-01-20T00:00:00Z');
      await log.append(entry(2, clock.now));
      clock.now = new Date('2026-02-05T00:00:00Z');
      await log.append(entry(3, clock.now));
      return (await log.list({ limit: 10 })).entries.map((e) => e.generation_id.slice(-1));
    });
    expect(ids).toEqual(['3', '2']);
  });

  it('keeps the first entry for a generation when it is appended twice', async () => {
    const kept = await withLog({ maxEntries: 100, maxAgeDays: 90 }, async (log, clock) => {
      const first = await log.append(entry(7, clock.now));
      const second = await log.append({ ...entry(7, new Date('2026-01-02T00:00:00Z')), client: { id: 'other', name: 'Other' } });
      return { first, second, count: (await log.list({ limit: 10 })).entries.length };
    });
    expect(kept.second).toEqual(kept.first);
    expect(kept.count).toBe(1);
  });

  it('pages by cursor without gaps or repeats, and filters by time', async () => {
    const result = await withLog({ maxEntries: 100, maxAgeDays: 90 }, async (log, clock) => {
      for (let i = 1; i <= 7; i++) {
        clock.now = new Date(Date.UTC(2026, 0, 1, 0, i));
        await log.append(entry(i, clock.now));
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await log.list({ limit: 3, cursor });
        seen.push(...page.entries.map((e) => e.generation_id.slice(-1)));
        cursor = page.next_cursor;
        if (!cursor) break;
      }
      const before = await log.list({ limit: 10, before: new Date(Date.UTC(2026, 0, 1, 0, 3)).toISOString() });
      return { seen, before: before.entries.map((e) => e.generation_id.slice(-1)) };
    });
    expect(result.seen).toEqual(['7', '6', '5', '4', '3', '2', '1']);
    expect(result.before).toEqual(['2', '1']);
  });
});

describe('SqliteDeleteIntents', () => {
  it('keeps an intent until it is removed, replaces it on a second put, and drops it past the retention', async () => {
    const stub = env.USER_STORE.get(env.USER_STORE.newUniqueId());
    const result = await runInDurableObject(stub, async (_instance, state) => {
      const clock = { now: new Date('2026-01-01T00:00:00Z') };
      const intents = new SqliteDeleteIntents(state.storage.sql, { maxEntries: 100, maxAgeDays: 30 }, () => clock.now);
      const client = { id: 'c', name: 'C' };
      await intents.put({ generation_id: 'a', recorded_at: clock.now.toISOString(), client });
      await intents.put({ generation_id: 'a', recorded_at: clock.now.toISOString(), client, seen: { prompt: 'a fox' } });
      const replaced = await intents.get('a');
      // The same storage, as a restarted object would open it.
      const reopened = await new SqliteDeleteIntents(state.storage.sql).get('a');
      clock.now = new Date('2026-02-15T00:00:00Z');
      await intents.put({ generation_id: 'b', recorded_at: clock.now.toISOString(), client });
      const expired = await intents.get('a');
      await intents.remove('b');
      return { replaced, reopened, expired, left: intents.count() };
    });
    expect(result.replaced).toEqual({ generation_id: 'a', recorded_at: '2026-01-01T00:00:00.000Z', client: { id: 'c', name: 'C' }, seen: { prompt: 'a fox' } });
    expect(result.reopened).toEqual(result.replaced);
    expect(result.expired).toBeNull();
    expect(result.left).toBe(0);
  });
});
