import type { DeleteCallResult, DeletesPage, DeletesQuery } from './deletes-log.ts';

/**
 * What the tools need from wherever they run, already bound to the signed-in user and the client
 * that asks. The Worker fills it from the user's Durable Object and the KV cache; another runtime
 * can fill it from its own storage (see createUserDeleter). Nothing here is Cloudflare-specific.
 */
export interface ToolContext {
  /** Deletes one generation, at most once, and logs it. */
  deleteGeneration(generationId: string): Promise<DeleteCallResult>;
  /** A page of the user's deletes log, newest first, and where it was read from. */
  listRecentDeletes(query: DeletesQuery): Promise<DeletesPage & { source: RecentDeletesSource }>;
  /** Empties the user's deletes log (the generations stay deleted). */
  clearRecentDeletes(): Promise<{ cleared: number }>;
  /** Injected so tests can pin timestamps. */
  now?: () => Date;
}

/** `edge_cache`: the KV copy; `log`: the user's log itself (a cache miss, or an older page). */
export type RecentDeletesSource = 'edge_cache' | 'log';
