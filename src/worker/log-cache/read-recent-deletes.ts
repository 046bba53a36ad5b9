import type { DeletesPage, DeletesQuery } from '../../core/account/deletes-log.ts';
import type { RecentDeletesPage, UserAccount } from '../../core/account/user-account.ts';
import type { RecentDeletesCache } from './recent-deletes-cache.ts';

/**
 * Reads a page of a user's deletes: from the KV copy when it can answer the whole page and is not
 * older than the last change this reader knows of (`minVersion`), else from the user's Durable
 * Object. Reading never writes KV. A failing KV is treated as a miss, so reads keep working while
 * the cache is down.
 */
export async function readRecentDeletes(
  userId: string,
  query: DeletesQuery,
  cache: RecentDeletesCache,
  fromLog: (query: DeletesQuery) => Promise<DeletesPage>,
  minVersion = 0,
): Promise<RecentDeletesPage> {
  // Older pages (a cursor) are beyond the copy by design; go to the log.
  if (query.cursor === undefined) {
    let snapshot = null;
    try {
      snapshot = await cache.read(userId);
    } catch {
      console.warn('recent-deletes: reading the KV cache failed; reading the log instead');
    }
    // A copy older than a change this reader made (or saw) would hide it: read the log instead.
    if (snapshot && snapshot.version >= minVersion) {
      const matching = snapshot.entries
        .map((entry, index) => ({ entry, cursor: snapshot.cursors[index]! }))
        .filter(({ entry }) => query.before === undefined || entry.deleted_at < query.before);
      const page = matching.slice(0, query.limit);
      const last = page[page.length - 1];
      const entries = page.map(({ entry }) => entry);
      // Everything that matches is in the copy: this is the whole answer.
      if (snapshot.complete && matching.length <= query.limit) return { entries, source: 'edge_cache' };
      // A full page: older entries exist (in the copy or beyond it), reachable by the cursor.
      if (matching.length >= query.limit && last) return { entries, next_cursor: last.cursor, source: 'edge_cache' };
      // A partial page of an incomplete copy: the rest is only in the log.
    }
  }
  return { ...(await fromLog(query)), source: 'log' };
}

/**
 * The newest log version each user's changes reached, as seen from this isolate (a session's
 * calls run in one), so that a person's own session reads its own deletes at once: the object
 * answers every change with the log's version, and a KV copy older than it is skipped. Bounded;
 * forgetting a user only means their next read may be served from a copy up to a second behind.
 */
const MAX_TRACKED_USERS = 10_000;
const versions = new Map<string, number>();

export function noteLogVersion(userId: string, version: unknown): void {
  if (typeof version !== 'number') return;
  const known = versions.get(userId) ?? 0;
  versions.delete(userId);
  versions.set(userId, Math.max(known, version));
  if (versions.size > MAX_TRACKED_USERS) versions.delete(versions.keys().next().value!);
}

export function knownLogVersion(userId: string): number {
  return versions.get(userId) ?? 0;
}

/**
 * The person's account with reads of the log served from the KV copy when it is fresh enough for
 * this reader, and the log versions of their own changes noted for that.
 */
export function withEdgeReads(userId: string, inObject: UserAccount, cache: RecentDeletesCache): UserAccount {
  return {
    ...inObject,
    async deleteGeneration(generationId, client) {
      const result = await inObject.deleteGeneration(generationId, client);
      noteLogVersion(userId, (result as { log_version?: unknown }).log_version);
      return result;
    },
    async clearDeletes() {
      const result = await inObject.clearDeletes();
      noteLogVersion(userId, (result as { log_version?: unknown }).log_version);
      return result;
    },
    listDeletes: (query) => readRecentDeletes(userId, query, cache, (q) => inObject.listDeletes(q), knownLogVersion(userId)),
  };
}
