import type { RecentDeletesCache, CachedDeletes } from './recent-deletes-cache.ts';
import { CACHED_ENTRIES } from './recent-deletes-cache.ts';
import type { SqliteDeletesLog } from '../user-store/sqlite-deletes-log.ts';

/** Workers KV allows one write per second to a key: never more often than this. */
export const MIN_WRITE_INTERVAL_MS = 1_000;
/** First wait after a failed write; doubles each time, up to {@link MAX_REPAIR_DELAY_MS}. */
export const FIRST_REPAIR_DELAY_MS = 2_000;
export const MAX_REPAIR_DELAY_MS = 5 * 60_000;
/** Failed writes in a row before the copy is given up on until the log next changes. */
export const MAX_REPAIR_ATTEMPTS = 8;

type State = {
  /** The log version last written to KV (0: none). */
  written_version: number;
  /** When the last write (successful or not) was attempted, ms since the epoch. */
  last_write_ms: number;
  failures: number;
  /** Why repair stopped, while it is stopped. */
  stopped: string | null;
};

/**
 * Keeps a user's KV copy of the deletes log in step with the log, within KV's limits. A change
 * only marks the copy behind and sets the object's alarm; the alarm writes the newest state, at
 * most once a second however many deletes happened in between (coalescing), and nothing on the
 * delete path waits for KV. Reads never write. A failed write is retried with backoff; a permanent
 * failure (or too many in a row) stops the repair with a log line saying why, and removes the copy
 * so that a copy known to be stale is not served. State lives in the object's SQLite, so restarts
 * change nothing.
 */
export class EdgeCopy {
  private readonly storage: DurableObjectStorage;
  private readonly log: SqliteDeletesLog;
  private readonly cache: () => RecentDeletesCache;
  private readonly userId: () => Promise<string | undefined>;
  private readonly now: () => number;
  /** A KV write under way, so that removing the copy can wait for it (see {@link erase}). */
  private writing: Promise<void> | undefined;

  constructor(options: {
    storage: DurableObjectStorage;
    log: SqliteDeletesLog;
    /** Read at each write, so that fault-injection tests can swap the cache. */
    cache: () => RecentDeletesCache;
    userId: () => Promise<string | undefined>;
    now?: () => number;
  }) {
    this.storage = options.storage;
    this.log = options.log;
    this.cache = options.cache;
    this.userId = options.userId;
    this.now = options.now ?? Date.now;
    this.createTable();
  }

  /** Creates this copy's bookkeeping (again, after the object's storage was wiped). */
  createTable(): void {
    this.storage.sql.exec(`CREATE TABLE IF NOT EXISTS edge_copy (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      written_version INTEGER NOT NULL,
      last_write_ms INTEGER NOT NULL,
      failures INTEGER NOT NULL,
      stopped TEXT
    )`);
    this.storage.sql.exec('INSERT OR IGNORE INTO edge_copy (id, written_version, last_write_ms, failures, stopped) VALUES (1, 0, 0, 0, NULL)');
  }

  state(): State {
    return this.storage.sql.exec<State & { id: number }>('SELECT * FROM edge_copy WHERE id = 1').one();
  }

  /** The log changed: make sure a write is scheduled (a stopped repair starts over). */
  async changed(): Promise<void> {
    const state = this.state();
    if (state.stopped !== null || state.failures > 0) this.save({ failures: 0, stopped: null });
    await this.schedule(Math.max(this.now(), state.last_write_ms + MIN_WRITE_INTERVAL_MS));
  }

  /** The alarm: writes the copy if it is behind and a write is allowed now; otherwise reschedules. */
  async onAlarm(): Promise<void> {
    const state = this.state();
    if (state.stopped !== null) return;
    const version = this.log.version();
    if (state.written_version >= version) return;
    const allowedAt = state.last_write_ms + MIN_WRITE_INTERVAL_MS;
    if (this.now() < allowedAt) {
      await this.storage.setAlarm(allowedAt);
      return;
    }
    const userId = await this.userId();
    if (!userId) return;
    const snapshot: CachedDeletes = { ...this.log.newest(CACHED_ENTRIES), version, written_at: new Date(this.now()).toISOString() };
    const attemptedAt = this.now();
    const write = this.cache().write(userId, snapshot);
    this.writing = write;
    try {
      await write;
    } catch (error) {
      await this.failed(userId, state.failures + 1, attemptedAt, error);
      return;
    } finally {
      if (this.writing === write) this.writing = undefined;
    }
    this.save({ written_version: version, last_write_ms: attemptedAt, failures: 0 });
    // Changes made while the write was under way get the next write, a second later.
    if (this.log.version() > version) await this.storage.setAlarm(attemptedAt + MIN_WRITE_INTERVAL_MS);
  }

  /**
   * Takes the copy away for good (the person erased everything): waits for a write already under
   * way, which would otherwise land after the removal and bring erased entries back.
   */
  async erase(userId: string): Promise<void> {
    await this.writing?.catch(() => undefined);
    await this.cache().remove(userId);
  }

  private async failed(userId: string, failures: number, attemptedAt: number, error: unknown): Promise<void> {
    const reason = describeKvError(error);
    const permanent = isPermanent(reason);
    if (!permanent && failures < MAX_REPAIR_ATTEMPTS) {
      const delay = Math.min(MAX_REPAIR_DELAY_MS, FIRST_REPAIR_DELAY_MS * 2 ** (failures - 1));
      console.warn(`user-store: writing the recent-deletes copy failed (${reason}); retry ${failures} of ${MAX_REPAIR_ATTEMPTS - 1} in ${Math.round(delay / 1000)} s`);
      this.save({ last_write_ms: attemptedAt, failures });
      await this.storage.setAlarm(attemptedAt + delay);
      return;
    }
    const why = permanent ? `KV refused the write for good (${reason})` : `${failures} writes in a row failed (last: ${reason})`;
    console.warn(`user-store: stopped repairing the recent-deletes copy: ${why}; reads go to the log until it next changes`);
    this.save({ last_write_ms: attemptedAt, failures, stopped: why });
    // The copy is known to be behind: take it away rather than let it be served.
    try {
      await this.cache().remove(userId);
    } catch {
      console.warn('user-store: removing the stale recent-deletes copy failed too; readers with a later version skip it');
    }
  }

  private async schedule(at: number): Promise<void> {
    const current = await this.storage.getAlarm();
    if (current === null || current > at) await this.storage.setAlarm(at);
  }

  private save(changes: Partial<State>): void {
    const next = { ...this.state(), ...changes };
    this.storage.sql.exec(
      'UPDATE edge_copy SET written_version = ?, last_write_ms = ?, failures = ?, stopped = ? WHERE id = 1',
      next.written_version,
      next.last_write_ms,
      next.failures,
      next.stopped,
    );
  }
}

/** A short reason, without anything a KV error might quote beyond its first line. */
function describeKvError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 200) || 'unknown error';
}

/** Errors that retrying cannot fix: a value too large, a refused or missing namespace. */
export function isPermanent(reason: string): boolean {
  return /\b(400|401|403|404|413)\b|too large|not allowed|unauthori[sz]ed|forbidden|permanent/i.test(reason);
}
