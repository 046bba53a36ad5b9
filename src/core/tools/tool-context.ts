import type { Generation, GenerationList } from '../luma/luma-client.ts';
import type { DeleteEntry, DeletesPage, DeletesQuery, KnownGeneration } from '../account/deletes-log.ts';
import type { ActionResult, DeleteCallResult } from '../account/user-account.ts';

/**
 * What the tools need from wherever they run, already bound to the signed-in user and the client
 * that asks. The Worker fills it from the user's Durable Object and the KV cache; another runtime
 * can fill it from its own storage (see createUserActions). Nothing here is Cloudflare-specific.
 */
export interface ToolContext {
  /** Deletes one generation, at most once, and logs it. */
  deleteGeneration(generationId: string): Promise<DeleteCallResult>;
  /** What is known before deleting (from the log and earlier reads), without asking Luma. */
  previewDelete(generationId: string): Promise<DeletePreview>;
  getGeneration(generationId: string): Promise<ActionResult<Generation>>;
  listGenerations(page: { limit: number; offset: number }): Promise<ActionResult<GenerationList>>;
  /** A page of the user's deletes log, newest first, and where it was read from. */
  listRecentDeletes(query: DeletesQuery): Promise<DeletesPage & { source: RecentDeletesSource }>;
  /** Empties the user's deletes log (the generations stay deleted). */
  clearRecentDeletes(): Promise<{ cleared: number }>;
  getPreferences(): Promise<UserPreferences>;
  setPreferences(changes: Partial<UserPreferences>): Promise<UserPreferences>;
  /** How the person gives this server a (new) Luma key here, for messages about a missing or rejected key. */
  keyAdvice: string;
  /** Injected so tests can pin timestamps. */
  now?: () => Date;
}

/** `edge_cache`: the KV copy; `log`: the user's log itself (a cache miss, or an older page). */
export type RecentDeletesSource = 'edge_cache' | 'log';

export interface UserPreferences {
  /** Ask the person to confirm each delete, when their client can ask (MCP elicitation). */
  confirm_deletes: boolean;
}

export interface DeletePreview {
  generation_id: string;
  already_deleted?: DeleteEntry;
  known?: KnownGeneration;
}
