import { describe, expect, it } from 'vitest';
import { MemoryDeletesLog } from '../../../src/deno/memory-deletes-log.ts';
import type { DeleteEntry } from '../../../src/core/account/deletes-log.ts';

/** The in-memory log keeps the contract of the Worker's SQLite log (test/worker/sqlite-deletes-log.test.ts). */
const client = { id: 'bearer-token', name: 'test' };

function entry(n: number, deletedAt = new Date(Date.UTC(2026, 10, 25, 10, 0, n)).toISOString()): DeleteEntry {
  return { generation_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, deleted_at: deletedAt, outcome: 'deleted', confirmed_by: 'luma', client };
}

const now = () => new Date(Date.UTC(2026, 10, 25, 12));

describe('MemoryDeletesLog', () => {
  it('keeps one entry per generation: a second append returns the first', async () => {
    const log = new MemoryDeletesLog(undefined, now);
    const first = entry(1);
    expect(await log.append(first)).toEqual(first);
    expect(await log.append({ ...first, deleted_at: now().toISOString() })).toEqual(first);
    expect(await log.find(first.generation_id)).toEqual(first);
    expect(await log.find(entry(2).generation_id)).toBeNull();
  });

  it('lists newest first, page by page, and filters by time', async () => {
    const log = new MemoryDeletesLog(undefined, now);
    for (let n = 1; n <= 5; n++) await log.append(entry(n));
    const first = await log.list({ limit: 2 });
    expect(first.entries.map((e) => e.generation_id)).toEqual([entry(5).generation_id, entry(4).generation_id]);
    const second = await log.list({ limit: 2, cursor: first.next_cursor });
    expect(second.entries.map((e) => e.generation_id)).toEqual([entry(3).generation_id, entry(2).generation_id]);
    const last = await log.list({ limit: 2, cursor: second.next_cursor });
    expect(last).toEqual({ entries: [entry(1)] });
    expect((await log.list({ limit: 10, before: entry(3).deleted_at })).entries).toEqual([entry(2), entry(1)]);
  });

  it('empties on clear and says how many went', async () => {
    const log = new MemoryDeletesLog(undefined, now);
    await log.append(entry(1));
    await log.append(entry(2));
    expect(await log.clear()).toBe(2);
    expect(await log.list({ limit: 10 })).toEqual({ entries: [] });
  });

  it('keeps at most maxEntries, and nothing older than maxAgeDays', async () => {
    const log = new MemoryDeletesLog({ maxEntries: 3, maxAgeDays: 1 }, now);
    await log.append(entry(0, '2026-11-20T00:00:00.000Z'));
    for (let n = 1; n <= 4; n++) await log.append(entry(n));
    expect((await log.list({ limit: 10 })).entries.map((e) => e.generation_id)).toEqual([4, 3, 2].map((n) => entry(n).generation_id));
  });

  it('remembers what reads learned until the generation is deleted, and hands out copies', async () => {
    const log = new MemoryDeletesLog(undefined, now);
    const id = entry(1).generation_id;
    await log.remember(id, { generation_type: 'video', prompt: 'a fox' });
    const known = await log.known(id);
    expect(known).toEqual({ generation_type: 'video', prompt: 'a fox' });
    known!.prompt = 'changed';
    expect((await log.known(id))!.prompt).toBe('a fox');
    await log.append(entry(1));
    expect(await log.known(id)).toBeUndefined();
  });
});
