import type { DeletesPage, DeletesQuery } from '../../core/account/deletes-log.ts';
import type { RecentDeletesPage } from '../../core/account/user-account.ts';
import type { RecentDeletesCache } from './recent-deletes-cache.ts';

/**
 * Reads a page of a user's deletes: from the KV copy when it can answer the whole page, else from
 * the user's Durable Object (which also rewrites the copy). A failing KV is treated as a miss, so
 * reads keep working while the cache is down.
 */
export async function readRecentDeletes(
  userId: string,
  query: DeletesQuery,
  cache: RecentDeletesCache,
  fromLog: (query: DeletesQuery) => Promise<DeletesPage>,
): Promise<RecentDeletesPage> {
  // Older pages (a cursor) are beyond the copy by design; go to the log.
  if (query.cursor === undefined) {
    let snapshot = null;
    try {
      snapshot = await cache.read(userId);
    } catch {
      console.warn('recent-deletes: reading the KV cache failed; reading the log instead');
    }
    if (snapshot) {
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
