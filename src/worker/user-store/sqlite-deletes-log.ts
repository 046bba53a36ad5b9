import {
  DEFAULT_RETENTION,
  MAX_KNOWN_GENERATIONS,
  retentionCutoff,
  type DeleteEntry, type DeletesLog, type DeletesPage, type DeletesQuery, type KnownGeneration,
  type Retention,
} from '../../core/account/deletes-log.ts';

/**
 * The deletes log in the user's Durable Object (SQLite). The object runs one request at a time
 * between awaits, and these calls are synchronous SQL, so an append is atomic by construction.
 * Retention is bounded by count and age, pruned on every append.
 */

export class SqliteDeletesLog implements DeletesLog {
  private readonly sql: SqlStorage;
  private readonly retention: Retention;
  private readonly now: () => Date;

  constructor(sql: SqlStorage, retention: Retention = DEFAULT_RETENTION, now: () => Date = () => new Date()) {
    this.sql = sql;
    this.retention = retention;
    this.now = now;
    this.createTables();
  }

  /** Creates the log's tables (again, after the object's storage was wiped). */
  createTables(): void {
    const sql = this.sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS deletes (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      generation_id TEXT NOT NULL UNIQUE,
      deleted_at TEXT NOT NULL,
      entry TEXT NOT NULL
    )`);
    // One row: counts every change of the log, so that copies of it (KV) can tell whether they are behind.
    sql.exec('CREATE TABLE IF NOT EXISTS log_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)');
    sql.exec('INSERT OR IGNORE INTO log_version (id, version) VALUES (1, 0)');
    sql.exec(`CREATE TABLE IF NOT EXISTS known_generations (
      generation_id TEXT PRIMARY KEY,
      details TEXT NOT NULL,
      seen_at TEXT NOT NULL
    )`);
  }

  async find(generationId: string): Promise<DeleteEntry | null> {
    const row = this.sql.exec<{ entry: string }>('SELECT entry FROM deletes WHERE generation_id = ?', generationId).toArray()[0];
    return row ? (JSON.parse(row.entry) as DeleteEntry) : null;
  }

  async append(entry: DeleteEntry): Promise<DeleteEntry> {
    const existing = await this.find(entry.generation_id);
    if (existing) return existing;
    this.sql.exec('INSERT INTO deletes (generation_id, deleted_at, entry) VALUES (?, ?, ?)', entry.generation_id, entry.deleted_at, JSON.stringify(entry));
    // Once deleted, what we knew about it lives in the entry; the read cache need not keep it.
    this.sql.exec('DELETE FROM known_generations WHERE generation_id = ?', entry.generation_id);
    this.prune();
    this.bumpVersion();
    return entry;
  }

  async list({ limit, cursor, before }: DeletesQuery): Promise<DeletesPage> {
    const conditions: string[] = [];
    const bindings: (string | number)[] = [];
    const afterSeq = cursor === undefined ? undefined : Number.parseInt(cursor, 10);
    if (afterSeq !== undefined && Number.isFinite(afterSeq)) {
      conditions.push('seq < ?');
      bindings.push(afterSeq);
    }
    if (before !== undefined) {
      conditions.push('deleted_at < ?');
      bindings.push(before);
    }
    const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows = this.sql
      .exec<{ seq: number; entry: string }>(`SELECT seq, entry FROM deletes ${where} ORDER BY seq DESC LIMIT ?`, ...bindings, limit + 1)
      .toArray();
    const page = rows.slice(0, limit);
    return {
      entries: page.map((row) => JSON.parse(row.entry) as DeleteEntry),
      ...(rows.length > limit ? { next_cursor: String(page[page.length - 1]!.seq) } : {}),
    };
  }

  /** The newest entries with the cursor after each, for the edge copy. */
  newest(limit: number): { entries: DeleteEntry[]; cursors: string[]; complete: boolean } {
    const rows = this.sql.exec<{ seq: number; entry: string }>('SELECT seq, entry FROM deletes ORDER BY seq DESC LIMIT ?', limit + 1).toArray();
    const page = rows.slice(0, limit);
    return {
      entries: page.map((row) => JSON.parse(row.entry) as DeleteEntry),
      cursors: page.map((row) => String(row.seq)),
      complete: rows.length <= limit,
    };
  }

  async clear(): Promise<number> {
    const count = this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM deletes').one().n;
    this.sql.exec('DELETE FROM deletes');
    this.bumpVersion();
    return count;
  }

  async known(generationId: string): Promise<KnownGeneration | undefined> {
    const row = this.sql.exec<{ details: string }>('SELECT details FROM known_generations WHERE generation_id = ?', generationId).toArray()[0];
    return row ? (JSON.parse(row.details) as KnownGeneration) : undefined;
  }

  /** Remembers what a read learned about a generation, for the log entry if it is later deleted. */
  async remember(generationId: string, details: KnownGeneration): Promise<void> {
    this.sql.exec(
      'INSERT INTO known_generations (generation_id, details, seen_at) VALUES (?, ?, ?) ON CONFLICT(generation_id) DO UPDATE SET details = excluded.details, seen_at = excluded.seen_at',
      generationId,
      JSON.stringify(details),
      this.now().toISOString(),
    );
    // Reads can see far more generations than are ever deleted: keep only the most recently seen.
    this.sql.exec(
      'DELETE FROM known_generations WHERE generation_id NOT IN (SELECT generation_id FROM known_generations ORDER BY seen_at DESC LIMIT ?)',
      MAX_KNOWN_GENERATIONS,
    );
  }

  /** How many times the log has changed (appends and clears), ever; survives restarts. */
  version(): number {
    return this.sql.exec<{ version: number }>('SELECT version FROM log_version WHERE id = 1').one().version;
  }

  private bumpVersion(): void {
    this.sql.exec('UPDATE log_version SET version = version + 1 WHERE id = 1');
  }

  private prune(): void {
    const cutoff = retentionCutoff(this.retention, this.now());
    this.sql.exec('DELETE FROM deletes WHERE deleted_at < ?', cutoff);
    this.sql.exec('DELETE FROM deletes WHERE seq NOT IN (SELECT seq FROM deletes ORDER BY seq DESC LIMIT ?)', this.retention.maxEntries);
    this.sql.exec('DELETE FROM known_generations WHERE seen_at < ?', cutoff);
  }
}
