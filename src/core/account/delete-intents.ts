import type { ClientRef } from './user-account.ts';
import { retentionCutoff, type KnownGeneration, type Retention } from './deletes-log.ts';

/**
 * Deletes that were started and not yet settled, kept durably beside the deletes log. An intent is
 * recorded before a DELETE leaves for Luma and removed only when the outcome is known (logged, or
 * a definite "nothing happened"). One that is still there when a later call starts means an
 * earlier attempt may have reached Luma without anyone hearing the answer (a lost answer, a crash
 * or restart between Luma's 204 and the log write): that later call then settles it by the
 * evidence rule (user-account.ts). Nothing about it lives in memory only.
 */
export interface DeleteIntent {
  generation_id: string;
  /** When the first unsettled attempt was recorded (ISO 8601, UTC); intents expire with the log's retention. */
  recorded_at: string;
  /** The app that asked, for the log entry if the delete is settled later. */
  client: ClientRef;
  /**
   * What an earlier read of this user had learned about the generation when the intent was
   * recorded: evidence that it existed in this account, kept with the intent (the read cache itself
   * is bounded and may forget it).
   */
  seen?: KnownGeneration;
}

/** Where a runtime keeps one person's open intents (the Worker: SQLite in their object; Deno: Deno KV). */
export interface DeleteIntents {
  get(generationId: string): Promise<DeleteIntent | null>;
  /** Records (or replaces) an intent; durable when the promise resolves. Prunes expired ones. */
  put(intent: DeleteIntent): Promise<void>;
  /** Settles it: the outcome is known. */
  remove(generationId: string): Promise<void>;
}

/** Intents older than the log's retention are dropped: nothing could be settled from them any more. */
export function intentExpired(intent: DeleteIntent, retention: Retention, now: Date): boolean {
  return Date.parse(intent.recorded_at) < Date.parse(retentionCutoff(retention, now));
}

/** Intents for the life of the process: for tests, and for runtimes with no durable storage. */
export function memoryIntents(retention?: Retention, now: () => Date = () => new Date()): DeleteIntents {
  const intents = new Map<string, DeleteIntent>();
  return {
    async get(generationId) {
      const intent = intents.get(generationId);
      return intent ? structuredClone(intent) : null;
    },
    async put(intent) {
      intents.set(intent.generation_id, structuredClone(intent));
      if (retention) for (const [id, stored] of intents) if (intentExpired(stored, retention, now())) intents.delete(id);
    },
    async remove(generationId) {
      intents.delete(generationId);
    },
  };
}
