import { DEFAULT_RETENTION, retentionCutoff, type Retention } from '../../core/account/deletes-log.ts';
import type { DeleteIntent, DeleteIntents } from '../../core/account/delete-intents.ts';

/**
 * Open delete intents in the user's Durable Object (SQLite), beside the deletes log. A write is
 * durable before the object's output gate lets anything out, so an intent put before the DELETE
 * leaves is stored before Luma can act on it; it survives restarts and evictions until settled,
 * and expires with the log's retention.
 */
export class SqliteDeleteIntents implements DeleteIntents {
  private readonly sql: SqlStorage;
  private readonly retention: Retention;
  private readonly now: () => Date;

  constructor(sql: SqlStorage, retention: Retention = DEFAULT_RETENTION, now: () => Date = () => new Date()) {
    this.sql = sql;
    this.retention = retention;
    this.now = now;
    this.createTables();
  }

  /** Creates the intents' table (again, after the object's storage was wiped). */
  createTables(): void {
    this.sql.exec(`CREATE TABLE IF NOT EXISTS delete_intents (
      generation_id TEXT PRIMARY KEY,
      recorded_at TEXT NOT NULL,
      intent TEXT NOT NULL
    )`);
  }

  async get(generationId: string): Promise<DeleteIntent | null> {
    const row = this.sql.exec<{ intent: string }>('SELECT intent FROM delete_intents WHERE generation_id = ?', generationId).toArray()[0];
    return row ? (JSON.parse(row.intent) as DeleteIntent) : null;
  }

  async put(intent: DeleteIntent): Promise<void> {
    this.sql.exec(
      'INSERT INTO delete_intents (generation_id, recorded_at, intent) VALUES (?, ?, ?) ON CONFLICT(generation_id) DO UPDATE SET recorded_at = excluded.recorded_at, intent = excluded.intent',
      intent.generation_id,
      intent.recorded_at,
      JSON.stringify(intent),
    );
    const cutoff = retentionCutoff(this.retention, this.now());
    this.sql.exec('DELETE FROM delete_intents WHERE recorded_at < ?', cutoff);
  }

  async remove(generationId: string): Promise<void> {
    this.sql.exec('DELETE FROM delete_intents WHERE generation_id = ?', generationId);
  }

  /** How many are open (for tests and the soak's audit). */
  count(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM delete_intents').one().n;
  }
}
