import type { DeleteEntry } from '../../core/account/deletes-log.ts';

/**
 * Each user's newest deletes, one Workers KV key per user, so that reads are served at the edge
 * without waking the user's Durable Object. The Durable Object is the source of truth and the only
 * writer (at most once a second, see edge-copy.ts); this copy may lag it, never lead it, and says
 * which version of the log it is, so that a reader who knows of a later change skips it.
 */
export const CACHED_ENTRIES = 100;

export interface CachedDeletes {
  /** Newest first, at most {@link CACHED_ENTRIES}. */
  entries: DeleteEntry[];
  /** The log's paging cursor after each entry, so pages served from here continue in the log. */
  cursors: string[];
  /** True when `entries` is the user's whole log (it had no more than fit). */
  complete: boolean;
  /** The log's version this copy was made from (it counts every change). */
  version: number;
  written_at: string;
}

export class RecentDeletesCache {
  private readonly kv: KVNamespace;

  constructor(kv: KVNamespace) {
    this.kv = kv;
  }

  /** v2: copies carry the log's version; v1 copies (without one) are never read. */
  static key(userId: string): string {
    return `recent-deletes:v2:${userId}`;
  }

  /** The cached copy, or `null` on a miss. Throws when KV itself fails; callers fall back. */
  async read(userId: string): Promise<CachedDeletes | null> {
    const copy = await this.kv.get<CachedDeletes>(RecentDeletesCache.key(userId), 'json');
    return copy && typeof copy.version === 'number' ? copy : null;
  }

  /** Replaces the user's copy. Throws when KV fails; the writer retries later. */
  async write(userId: string, snapshot: CachedDeletes): Promise<void> {
    await this.kv.put(RecentDeletesCache.key(userId), JSON.stringify(snapshot));
  }

  /** Removes the user's copy, so that one known to be stale is not served (reads then go to the log). */
  async remove(userId: string): Promise<void> {
    await this.kv.delete(RecentDeletesCache.key(userId));
  }
}
