import type { DeleteOutcome, LumaClient } from '../luma/luma-client.ts';
import { LumaError, type LumaErrorDetails } from '../luma/luma-error.ts';

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

export interface LoggedDelete {
  /** `already_deleted`: the log already had it; nothing was sent to Luma this time. */
  status: 'deleted' | 'already_deleted';
  entry: DeleteEntry;
}

/**
 * The answer to "delete this generation for this user", in a form that survives an RPC boundary
 * (the Worker runs it in the user's Durable Object; errors are data, not thrown classes).
 */
export type DeleteCallResult =
  | ({ ok: true } & LoggedDelete)
  | { ok: false; error: { kind: 'no_api_key' } | LumaErrorDetails };

export interface UserDeleterDeps {
  getLumaKey(): Promise<string | null>;
  lumaClient(apiKey: string): LumaClient;
  log: DeletesLog;
  now?: () => Date;
}

/**
 * A user's deleter: deletes with the user's key and logs what it deleted, with at most one delete in flight per
 * generation, so that concurrent calls for the same ID (several sessions, a retrying assistant)
 * share one upstream request and one log entry instead of racing to a 204 and a 404.
 */
export function createUserDeleter(deps: UserDeleterDeps) {
  const inFlight = new Map<string, Promise<DeleteCallResult>>();
  const now = deps.now ?? (() => new Date());

  /**
   * A generation already in the log is answered from it, with no upstream request. Otherwise
   * exactly one delete goes to Luma (the client may retry it), and a success is logged before it
   * is reported. A 404 for a generation in the log is `already_deleted`; a 404 for one that is not
   * stays an error: we never claim a delete we did not see.
   */
  async function run(generationId: string, client: DeleteEntry['client']): Promise<DeleteCallResult> {
    const earlier = await deps.log.find(generationId);
    if (earlier) return { ok: true, status: 'already_deleted', entry: earlier };
    const apiKey = await deps.getLumaKey();
    if (!apiKey) return { ok: false, error: { kind: 'no_api_key' } };
    const known = await deps.log.known(generationId);
    let outcome: DeleteOutcome;
    try {
      outcome = await deps.lumaClient(apiKey).deleteGeneration(generationId);
    } catch (error) {
      if (!(error instanceof LumaError)) throw error;
      // Deleted by another way in the meantime (an earlier process, before a restart): the log says so.
      const meanwhile = await deps.log.find(generationId);
      if (meanwhile) return { ok: true, status: 'already_deleted', entry: meanwhile };
      const { kind, status, detail, retryAfterSeconds, reason, attempts } = error;
      return { ok: false, error: { kind, status, detail, retryAfterSeconds, reason, attempts } };
    }
    const entry: DeleteEntry = {
      generation_id: generationId,
      deleted_at: now().toISOString(),
      outcome: 'deleted',
      confirmed_by: outcome.confirmedBy,
      client,
      ...(known ? { generation: known } : {}),
    };
    return { ok: true, status: 'deleted', entry: await deps.log.append(entry) };
  }

  return {
    delete(generationId: string, client: DeleteEntry['client']): Promise<DeleteCallResult> {
      const pending = inFlight.get(generationId);
      if (pending) return pending;
      const call = run(generationId, client).finally(() => inFlight.delete(generationId));
      inFlight.set(generationId, call);
      return call;
    },
  };
}
