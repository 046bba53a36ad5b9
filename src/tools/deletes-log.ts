import type { DeleteOutcome, LumaClient } from '../luma/luma-client.ts';

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
  outcome: 'deleted';
  /** `gone_after_retry`: the answer to the deleting request was lost; a retry found it gone. */
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
}

export type LoggedDelete =
  | { status: 'deleted'; entry: DeleteEntry }
  | { status: 'already_deleted'; entry: DeleteEntry };

/**
 * Deletes one generation at most once: a generation already in the log is answered from it with no
 * upstream request; otherwise exactly one delete goes to Luma (the client may retry it), and a
 * success is logged before it is reported. A 404 for a generation in the log is `already_deleted`;
 * a 404 for one that is not stays an error (thrown as the client's LumaError).
 */
export async function deleteWithLog(
  generationId: string,
  deps: { log: DeletesLog; luma: LumaClient; client: DeleteEntry['client']; now: () => Date },
): Promise<LoggedDelete> {
  const earlier = await deps.log.find(generationId);
  if (earlier) return { status: 'already_deleted', entry: earlier };
  const known = await deps.log.known(generationId);
  let outcome: DeleteOutcome;
  try {
    outcome = await deps.luma.deleteGeneration(generationId);
  } catch (error) {
    // Another session may have deleted it while we asked: the log then says so.
    const meanwhile = await deps.log.find(generationId);
    if (meanwhile) return { status: 'already_deleted', entry: meanwhile };
    throw error;
  }
  const entry: DeleteEntry = {
    generation_id: generationId,
    deleted_at: deps.now().toISOString(),
    outcome: 'deleted',
    confirmed_by: outcome.confirmedBy,
    client: deps.client,
    ...(known ? { generation: known } : {}),
  };
  const stored = await deps.log.append(entry);
  return stored.deleted_at === entry.deleted_at && stored.client.id === entry.client.id
    ? { status: 'deleted', entry: stored }
    : { status: 'already_deleted', entry: stored };
}
