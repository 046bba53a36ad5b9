import {
  DEFAULT_RETENTION,
  MAX_KNOWN_GENERATIONS,
  retentionCutoff,
  type DeleteEntry, type DeletesLog, type DeletesPage, type DeletesQuery, type KnownGeneration,
  type Retention,
} from '../core/account/deletes-log.ts';

/**
 * The deletes log kept in the process's memory: for tests, and for a self-hosted server given no
 * durable storage (the Deno entry point keeps the log in Deno KV, deno-kv-store.ts). It keeps the
 * contract of the Worker's SQLite log (src/worker/user-store/sqlite-deletes-log.ts): one entry per
 * generation, newest first, numeric cursors, bounded by count and age. Nothing here awaits between
 * reading and writing, so an append is atomic in a single-threaded runtime. It is lost on restart.
 */

export class MemoryDeletesLog implements DeletesLog {
  /** By generation ID; a Map keeps insertion order, which is the order of `seq`. */
  private readonly entries = new Map<string, { seq: number; entry: DeleteEntry }>();
  /** Least recently seen first: `remember` re-inserts, so the oldest are dropped first. */
  private readonly knownGenerations = new Map<string, { details: KnownGeneration; seenAt: number }>();
  private lastSeq = 0;
  private readonly retention: Retention;
  private readonly now: () => Date;

  constructor(retention: Retention = DEFAULT_RETENTION, now: () => Date = () => new Date()) {
    this.retention = retention;
    this.now = now;
  }

  async find(generationId: string): Promise<DeleteEntry | null> {
    const stored = this.entries.get(generationId);
    // Copies, as the Worker's log hands out parsed JSON: callers cannot change what is stored.
    return stored ? structuredClone(stored.entry) : null;
  }

  async append(entry: DeleteEntry): Promise<DeleteEntry> {
    const existing = this.entries.get(entry.generation_id);
    if (existing) return structuredClone(existing.entry);
    this.entries.set(entry.generation_id, { seq: ++this.lastSeq, entry: structuredClone(entry) });
    // Once deleted, what we knew about it lives in the entry.
    this.knownGenerations.delete(entry.generation_id);
    this.prune();
    return structuredClone(entry);
  }

  async list({ limit, cursor, before }: DeletesQuery): Promise<DeletesPage> {
    const afterSeq = cursor === undefined ? undefined : Number.parseInt(cursor, 10);
    const matching = [...this.entries.values()]
      .reverse()
      .filter(({ seq }) => afterSeq === undefined || !Number.isFinite(afterSeq) || seq < afterSeq)
      .filter(({ entry }) => before === undefined || entry.deleted_at < before);
    const page = matching.slice(0, limit);
    return {
      entries: page.map(({ entry }) => structuredClone(entry)),
      ...(matching.length > limit ? { next_cursor: String(page[page.length - 1]!.seq) } : {}),
    };
  }

  async clear(): Promise<number> {
    const count = this.entries.size;
    this.entries.clear();
    return count;
  }

  async known(generationId: string): Promise<KnownGeneration | undefined> {
    const remembered = this.knownGenerations.get(generationId);
    return remembered ? structuredClone(remembered.details) : undefined;
  }

  async remember(generationId: string, details: KnownGeneration): Promise<void> {
    this.knownGenerations.delete(generationId);
    this.knownGenerations.set(generationId, { details: structuredClone(details), seenAt: this.now().getTime() });
    // Reads can see far more generations than are ever deleted: keep only the most recently seen.
    for (const id of this.knownGenerations.keys()) {
      if (this.knownGenerations.size <= MAX_KNOWN_GENERATIONS) break;
      this.knownGenerations.delete(id);
    }
  }

  private prune(): void {
    const cutoff = retentionCutoff(this.retention, this.now());
    const cutoffMs = Date.parse(cutoff);
    for (const [id, { entry }] of this.entries) {
      if (entry.deleted_at < cutoff) this.entries.delete(id);
    }
    // Oldest first, so the surplus is at the front.
    for (const id of this.entries.keys()) {
      if (this.entries.size <= this.retention.maxEntries) break;
      this.entries.delete(id);
    }
    for (const [id, { seenAt }] of this.knownGenerations) {
      if (seenAt < cutoffMs) this.knownGenerations.delete(id);
    }
  }
}
