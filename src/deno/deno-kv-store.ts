/**
 * The self-hosted server's durable storage: the person's deletes log, open delete intents and
 * preference in Deno KV (a SQLite file locally, Deno Deploy's KV when deployed), so that a restart
 * loses nothing. Deno-only (it uses the Deno namespace), so only the entry point (main.ts) imports
 * it; everything else sees the core's interfaces (DeletesLog, DeleteIntents, PreferencesStore).
 *
 * Keys, all under the one user this server has:
 *   ['log', 'meta']                 { last_seq, count }
 *   ['log', 'by_seq', seq]          DeleteEntry         (newest = highest seq; cursors are seqs)
 *   ['log', 'by_id', generation]    seq
 *   ['known', generation]           { details, seen_at }
 *   ['intents', generation]         DeleteIntent
 *   ['preferences']                 UserPreferences
 * Changes that must go together are one atomic operation, checked against concurrent writers.
 */
import {
  DEFAULT_RETENTION,
  MAX_KNOWN_GENERATIONS,
  retentionCutoff,
  type DeleteEntry, type DeletesLog, type DeletesPage, type DeletesQuery, type KnownGeneration,
  type Retention,
} from '../core/account/deletes-log.ts';
import { intentExpired, type DeleteIntent, type DeleteIntents } from '../core/account/delete-intents.ts';
import { DEFAULT_PREFERENCES, type PreferencesStore, type UserPreferences } from '../core/account/preferences.ts';
import type { SelfHostedStorage } from './server.ts';

/** How often an atomic operation that lost a race is tried again before giving up. */
const MAX_ATTEMPTS = 20;

interface LogMeta {
  last_seq: number;
  count: number;
}

/** Opens Deno KV at `path` (a file; `undefined`: Deno Deploy's, or Deno's default). */
export async function openDenoKvStorage(path: string | undefined, retention: Retention = DEFAULT_RETENTION, now: () => Date = () => new Date()): Promise<SelfHostedStorage & { close(): void }> {
  const kv = await Deno.openKv(path);
  return {
    log: new DenoKvDeletesLog(kv, retention, now),
    intents: new DenoKvIntents(kv, retention, now),
    preferences: denoKvPreferences(kv),
    close: () => kv.close(),
  };
}

export class DenoKvDeletesLog implements DeletesLog {
  private readonly kv: Deno.Kv;
  private readonly retention: Retention;
  private readonly now: () => Date;

  constructor(kv: Deno.Kv, retention: Retention = DEFAULT_RETENTION, now: () => Date = () => new Date()) {
    this.kv = kv;
    this.retention = retention;
    this.now = now;
  }

  async find(generationId: string): Promise<DeleteEntry | null> {
    const seq = await this.kv.get<number>(['log', 'by_id', generationId]);
    if (seq.value === null) return null;
    return (await this.kv.get<DeleteEntry>(['log', 'by_seq', seq.value])).value;
  }

  async append(entry: DeleteEntry): Promise<DeleteEntry> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const [meta, byId] = await this.kv.getMany<[LogMeta, number]>([['log', 'meta'], ['log', 'by_id', entry.generation_id]]);
      if (byId.value !== null) {
        const existing = await this.kv.get<DeleteEntry>(['log', 'by_seq', byId.value]);
        if (existing.value) return existing.value;
      }
      const current = meta.value ?? { last_seq: 0, count: 0 };
      const seq = current.last_seq + 1;
      const committed = await this.kv
        .atomic()
        .check(meta, byId)
        .set(['log', 'by_seq', seq], entry)
        .set(['log', 'by_id', entry.generation_id], seq)
        .set(['log', 'meta'], { last_seq: seq, count: current.count + 1 })
        // Once deleted, what we knew about it lives in the entry.
        .delete(['known', entry.generation_id])
        .commit();
      if (committed.ok) {
        await this.prune();
        return entry;
      }
    }
    throw new Error('deletes log: too much contention appending an entry');
  }

  async list({ limit, cursor, before }: DeletesQuery): Promise<DeletesPage> {
    const afterSeq = cursor === undefined ? undefined : Number.parseInt(cursor, 10);
    const selector: Deno.KvListSelector =
      afterSeq !== undefined && Number.isFinite(afterSeq) ? { start: ['log', 'by_seq', 0], end: ['log', 'by_seq', afterSeq] } : { prefix: ['log', 'by_seq'] };
    const page: { seq: number; entry: DeleteEntry }[] = [];
    let more = false;
    for await (const item of this.kv.list<DeleteEntry>(selector, { reverse: true })) {
      if (before !== undefined && !(item.value.deleted_at < before)) continue;
      if (page.length === limit) {
        more = true;
        break;
      }
      page.push({ seq: item.key[2] as number, entry: item.value });
    }
    return {
      entries: page.map(({ entry }) => entry),
      ...(more ? { next_cursor: String(page[page.length - 1]!.seq) } : {}),
    };
  }

  async clear(): Promise<number> {
    let cleared = 0;
    // In batches; an entry appended meanwhile is either cleared or kept, never half.
    for (let round = 0; round < 10_000; round++) {
      const batch: Deno.KvEntry<DeleteEntry>[] = [];
      for await (const item of this.kv.list<DeleteEntry>({ prefix: ['log', 'by_seq'] }, { limit: 100 })) batch.push(item);
      if (batch.length === 0) break;
      if (await this.removeEntries(batch)) cleared += batch.length;
    }
    return cleared;
  }

  async known(generationId: string): Promise<KnownGeneration | undefined> {
    return (await this.kv.get<{ details: KnownGeneration }>(['known', generationId])).value?.details;
  }

  async remember(generationId: string, details: KnownGeneration): Promise<void> {
    await this.kv.set(['known', generationId], { details, seen_at: this.now().toISOString() });
    // Reads can see far more generations than are ever deleted: now and then, keep only the most recently seen.
    if (++this.remembered % 100 === 1) await this.pruneKnown();
  }

  private remembered = 0;

  private async pruneKnown(): Promise<void> {
    const all: { key: Deno.KvKey; seenAt: string }[] = [];
    for await (const item of this.kv.list<{ seen_at: string }>({ prefix: ['known'] })) all.push({ key: item.key, seenAt: item.value.seen_at });
    const cutoff = this.cutoff();
    all.sort((a, b) => (a.seenAt < b.seenAt ? 1 : a.seenAt > b.seenAt ? -1 : 0));
    const drop = all.filter((item, index) => index >= MAX_KNOWN_GENERATIONS || item.seenAt < cutoff);
    for (let i = 0; i < drop.length; i += 100) {
      let op = this.kv.atomic();
      for (const item of drop.slice(i, i + 100)) op = op.delete(item.key);
      await op.commit();
    }
  }

  /** Drops entries past the retention's age, then the oldest beyond its count. */
  private async prune(): Promise<void> {
    const cutoff = this.cutoff();
    for (let round = 0; round < 1_000; round++) {
      const meta = (await this.kv.get<LogMeta>(['log', 'meta'])).value;
      const surplus = Math.max(0, (meta?.count ?? 0) - this.retention.maxEntries);
      const batch: Deno.KvEntry<DeleteEntry>[] = [];
      for await (const item of this.kv.list<DeleteEntry>({ prefix: ['log', 'by_seq'] }, { limit: 100 })) {
        if (batch.length < surplus || item.value.deleted_at < cutoff) batch.push(item);
        else break;
      }
      if (batch.length === 0) return;
      await this.removeEntries(batch);
    }
  }

  /** Removes entries and lowers the count, atomically; `false` if they changed meanwhile. */
  private async removeEntries(batch: Deno.KvEntry<DeleteEntry>[]): Promise<boolean> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const meta = await this.kv.get<LogMeta>(['log', 'meta']);
      const current = meta.value ?? { last_seq: 0, count: batch.length };
      let op = this.kv.atomic().check(meta, ...batch);
      for (const item of batch) op = op.delete(item.key).delete(['log', 'by_id', item.value.generation_id]);
      op = op.set(['log', 'meta'], { last_seq: current.last_seq, count: Math.max(0, current.count - batch.length) });
      if ((await op.commit()).ok) return true;
      // The entries themselves changed (cleared by someone else): nothing more to do with this batch.
      const still = await this.kv.getMany<DeleteEntry[]>(batch.map((item) => item.key));
      if (still.some((item, index) => item.versionstamp !== batch[index]!.versionstamp)) return false;
    }
    throw new Error('deletes log: too much contention removing entries');
  }

  private cutoff(): string {
    return retentionCutoff(this.retention, this.now());
  }
}

export class DenoKvIntents implements DeleteIntents {
  private readonly kv: Deno.Kv;
  private readonly retention: Retention;
  private readonly now: () => Date;

  constructor(kv: Deno.Kv, retention: Retention = DEFAULT_RETENTION, now: () => Date = () => new Date()) {
    this.kv = kv;
    this.retention = retention;
    this.now = now;
  }

  async get(generationId: string): Promise<DeleteIntent | null> {
    return (await this.kv.get<DeleteIntent>(['intents', generationId])).value;
  }

  async put(intent: DeleteIntent): Promise<void> {
    // Durable when `set` resolves: recorded before the DELETE leaves.
    await this.kv.set(['intents', intent.generation_id], intent);
    for await (const item of this.kv.list<DeleteIntent>({ prefix: ['intents'] })) {
      if (intentExpired(item.value, this.retention, this.now())) await this.kv.delete(item.key);
    }
  }

  async remove(generationId: string): Promise<void> {
    await this.kv.delete(['intents', generationId]);
  }
}

export function denoKvPreferences(kv: Deno.Kv): PreferencesStore {
  const get = async (): Promise<UserPreferences> => ({ ...DEFAULT_PREFERENCES, ...(await kv.get<Partial<UserPreferences>>(['preferences'])).value });
  return {
    get,
    async set(changes) {
      const next = { ...(await get()), ...changes };
      await kv.set(['preferences'], next);
      return next;
    },
  };
}
