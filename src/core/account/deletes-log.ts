import type { DeleteOutcome } from '../luma/luma-client.ts';

/**
 * The user's record of what was deleted. A delete cannot be undone, so people need to see what
 * went, when, and which assistant asked; and an assistant that repeats a delete must get a calm,
 * correct answer. Runtime-neutral: the Worker keeps it in the user's Durable Object (SQLite) with a
 * KV copy at the edge; another runtime can keep it in memory.
 */
export interface DeleteEntry {
  generation_id: string;
  /** ISO 8601, UTC. */
  deleted_at: string;
  /**
   * `deleted`: Luma answered 2xx, or an attempt whose answer was lost was followed by a 404 for a
   * generation this user's account is known to have had (an earlier read, or an intent that saw it).
   * `gone_unconfirmed`: Luma no longer has it after an attempt whose answer was lost, but nothing
   * shows it was ever in this account (a typo, another account's ID): whether this server's
   * request removed it cannot be established, so it is never claimed as deleted.
   */
  outcome: 'deleted' | 'gone_unconfirmed';
  /** `luma`: Luma answered 2xx. `gone_after_retry`: an attempt lost its answer; a later one found it gone. */
  confirmed_by: DeleteOutcome['confirmedBy'];
  /** The OAuth client that asked. */
  client: { id: string; name: string };
  /** What was known about the generation without an extra request, if anything. */
  generation?: KnownGeneration;
}

/** What a read of the generation (in the same user's scope) had learned about it. */
export interface KnownGeneration {
  generation_type?: string;
  state?: string;
  model?: string;
  prompt?: string;
  created_at?: string;
  assets?: Record<string, string>;
}

export interface DeletesPage {
  /** Newest first. */
  entries: DeleteEntry[];
  /** Pass as `cursor` to get the next (older) page; absent on the last page. */
  next_cursor?: string;
}

export interface DeletesQuery {
  limit: number;
  /** From a previous page's `next_cursor`. */
  cursor?: string;
  /** Only entries deleted strictly before this ISO 8601 time. */
  before?: string;
}

/** Storage for the log, as the delete path and the readers need it. */
export interface DeletesLog {
  find(generationId: string): Promise<DeleteEntry | null>;
  /** Adds an entry; if one exists for that generation already, keeps and returns the existing one. */
  append(entry: DeleteEntry): Promise<DeleteEntry>;
  list(query: DeletesQuery): Promise<DeletesPage>;
  clear(): Promise<number>;
  /** What is known about a generation from earlier reads, if anything. */
  known(generationId: string): Promise<KnownGeneration | undefined>;
  /** Records what a read learned about a generation, for its entry should it be deleted. */
  remember(generationId: string, details: KnownGeneration): Promise<void>;
}

export interface LoggedDelete {
  /**
   * `already_deleted`: the log already had it as deleted; nothing was sent to Luma this time.
   * `gone_unconfirmed`: see {@link DeleteEntry.outcome} (now, or recorded so earlier).
   */
  status: 'deleted' | 'already_deleted' | 'gone_unconfirmed';
  entry: DeleteEntry;
  /** Answered from the log, with nothing sent to Luma this time. */
  from_log?: boolean;
}

/** How much of a deletes log is kept; every implementation prunes on append. */
export interface Retention {
  maxEntries: number;
  maxAgeDays: number;
}

export const DEFAULT_RETENTION: Retention = { maxEntries: 1_000, maxAgeDays: 90 };

/** The oldest moment a log (and what goes with it) keeps: anything before it is pruned. ISO 8601. */
export function retentionCutoff(retention: Retention, now: Date): string {
  return new Date(now.getTime() - retention.maxAgeDays * 86_400_000).toISOString();
}

/** How many read generations a log remembers for their entries; the least recently seen go first. */
export const MAX_KNOWN_GENERATIONS = 2_000;
