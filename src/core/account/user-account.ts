import type { DeleteOutcome, Generation, GenerationList, LumaClient } from '../luma/luma-client.ts';
import { LumaError, type LumaErrorDetails } from '../luma/luma-error.ts';
import type { DeleteEntry, DeletesLog, DeletesPage, DeletesQuery, KnownGeneration, LoggedDelete } from './deletes-log.ts';
import type { PreferencesStore, UserPreferences } from './preferences.ts';

/**
 * What one person can do with their Luma account through this server, with their own key, log
 * and preferences: the one per-user contract every tool stands on. Runtime-neutral and written
 * once: the Worker runs it inside the person's Durable Object (so results cross an RPC boundary,
 * and errors are data, not thrown classes); the self-hosted server runs it in-process.
 */
export type ActionError = { kind: 'no_api_key' } | LumaErrorDetails;

export type ActionResult<T> = { ok: true; value: T } | { ok: false; error: ActionError };

export type DeleteCallResult = ({ ok: true } & LoggedDelete) | { ok: false; error: ActionError };

/** The app (OAuth client, or the self-hosted server's caller) a person acts through. */
export type ClientRef = DeleteEntry['client'];

/** What a confirmation can show before deleting, without asking Luma. */
export interface DeletePreview {
  generation_id: string;
  already_deleted?: DeleteEntry;
  known?: KnownGeneration;
}

/** `edge_cache`: the Worker's KV copy; `log`: the person's log itself. */
export type RecentDeletesSource = 'edge_cache' | 'log';

export type RecentDeletesPage = DeletesPage & { source: RecentDeletesSource };

export interface UserAccount {
  /** Deletes one generation, at most once, and logs it. */
  deleteGeneration(generationId: string, client: ClientRef): Promise<DeleteCallResult>;
  /** What a confirmation should show before deleting: from the log and earlier reads, not from Luma. */
  previewDelete(generationId: string): Promise<DeletePreview>;
  getGeneration(generationId: string): Promise<ActionResult<Generation>>;
  listGenerations(page: { limit: number; offset: number }): Promise<ActionResult<GenerationList>>;
  /** A page of the deletes log, newest first, and where it was read from. */
  listDeletes(query: DeletesQuery): Promise<RecentDeletesPage>;
  /** Empties the deletes log (the generations stay deleted). */
  clearDeletes(): Promise<{ cleared: number }>;
  getPreferences(): Promise<UserPreferences>;
  setPreferences(changes: Partial<UserPreferences>): Promise<UserPreferences>;
}

/** Every method of the contract, for runtimes that expose it across a boundary (the Worker's RPC). */
export const USER_ACCOUNT_METHODS = [
  'deleteGeneration',
  'previewDelete',
  'getGeneration',
  'listGenerations',
  'listDeletes',
  'clearDeletes',
  'getPreferences',
  'setPreferences',
] as const satisfies readonly (keyof UserAccount)[];

export type UserAccountMethod = (typeof USER_ACCOUNT_METHODS)[number];

export function isUserAccountMethod(name: unknown): name is UserAccountMethod {
  return typeof name === 'string' && (USER_ACCOUNT_METHODS as readonly string[]).includes(name);
}

export interface UserAccountDeps {
  getLumaKey(): Promise<string | null>;
  lumaClient(apiKey: string): LumaClient;
  log: DeletesLog;
  preferences: PreferencesStore;
  now?: () => Date;
}

/** A generation's asset URLs by kind, leaving out the kinds Luma sent as null. */
export function assetUrls(generation: Generation): Record<string, string> {
  return Object.fromEntries(Object.entries(generation.assets ?? {}).filter((pair): pair is [string, string] => typeof pair[1] === 'string'));
}

/** What the log keeps about a generation that was read: enough to say later what was deleted. */
export function knownFrom(generation: Generation): KnownGeneration {
  const assets = assetUrls(generation);
  return {
    ...(generation.generation_type ? { generation_type: generation.generation_type } : {}),
    ...(generation.state ? { state: generation.state } : {}),
    ...(generation.model ? { model: generation.model } : {}),
    ...(typeof generation.request?.prompt === 'string' && generation.request.prompt ? { prompt: generation.request.prompt } : {}),
    ...(generation.created_at ? { created_at: generation.created_at } : {}),
    ...(Object.keys(assets).length ? { assets } : {}),
  };
}

export function createUserAccount(deps: UserAccountDeps): UserAccount {
  const inFlight = new Map<string, Promise<DeleteCallResult>>();
  /**
   * Generations whose last delete failed after an attempt that lost its answer: Luma may have
   * deleted them. A later 404 for one of them is that attempt's success, exactly as it would have
   * been within the call. In memory: it covers an assistant repeating the call, not a restart.
   */
  const uncertain = new Set<string>();
  const now = deps.now ?? (() => new Date());

  /** Runs a read with the user's key, turning Luma's failures into data. */
  async function withKey<T>(read: (luma: LumaClient) => Promise<T>): Promise<ActionResult<T>> {
    const apiKey = await deps.getLumaKey();
    if (!apiKey) return { ok: false, error: { kind: 'no_api_key' } };
    try {
      return { ok: true, value: await read(deps.lumaClient(apiKey)) };
    } catch (error) {
      return { ok: false, error: errorDetails(error) };
    }
  }

  /**
   * A generation already in the log is answered from it, with no upstream request. Otherwise
   * exactly one delete goes to Luma (the client may retry it), and a success is logged before it
   * is reported. A 404 for a generation in the log is `already_deleted`; a 404 for one that is not
   * stays an error (we never claim a delete we did not see), unless an earlier call's attempt at
   * it lost its answer: then that attempt is what deleted it.
   */
  async function deleteOnce(generationId: string, client: DeleteEntry['client']): Promise<DeleteCallResult> {
    const earlier = await deps.log.find(generationId);
    if (earlier) return { ok: true, status: 'already_deleted', entry: earlier };
    const apiKey = await deps.getLumaKey();
    if (!apiKey) return { ok: false, error: { kind: 'no_api_key' } };
    const known = await deps.log.known(generationId);
    let outcome: DeleteOutcome;
    try {
      outcome = await deps.lumaClient(apiKey).deleteGeneration(generationId);
    } catch (error) {
      // Deleted by another way in the meantime (an earlier process, before a restart): the log says so.
      const meanwhile = await deps.log.find(generationId);
      if (meanwhile) return { ok: true, status: 'already_deleted', entry: meanwhile };
      const details = errorDetails(error);
      if (details.kind === 'not_found' && uncertain.has(generationId)) {
        outcome = { confirmedBy: 'gone_after_retry', attempts: details.attempts };
      } else {
        if (details.ambiguous || details.kind === 'unavailable') {
          uncertain.add(generationId);
          if (uncertain.size > MAX_UNCERTAIN) uncertain.delete(uncertain.values().next().value!);
        }
        return { ok: false, error: details };
      }
    }
    uncertain.delete(generationId);
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
    /**
     * At most one delete in flight per generation, so that concurrent calls for the same ID
     * (several sessions, a retrying assistant) share one upstream request and one log entry
     * instead of racing to a 204 and a 404.
     */
    deleteGeneration(generationId, client) {
      const pending = inFlight.get(generationId);
      if (pending) return pending;
      const call = deleteOnce(generationId, client).finally(() => inFlight.delete(generationId));
      inFlight.set(generationId, call);
      return call;
    },

    async previewDelete(generationId) {
      const [deleted, known] = await Promise.all([deps.log.find(generationId), deps.log.known(generationId)]);
      return { generation_id: generationId, ...(deleted ? { already_deleted: deleted } : {}), ...(known ? { known } : {}) };
    },

    async getGeneration(generationId) {
      const result = await withKey((luma) => luma.getGeneration(generationId));
      if (result.ok) await deps.log.remember(generationId, knownFrom(result.value));
      return result;
    },

    async listGenerations(page) {
      const result = await withKey((luma) => luma.listGenerations(page));
      if (result.ok) {
        for (const generation of result.value.generations ?? []) {
          if (generation?.id) await deps.log.remember(generation.id, knownFrom(generation));
        }
      }
      return result;
    },

    async listDeletes(query) {
      return { ...(await deps.log.list(query)), source: 'log' };
    },

    async clearDeletes() {
      return { cleared: await deps.log.clear() };
    },

    getPreferences: () => deps.preferences.get(),
    setPreferences: (changes) => deps.preferences.set(changes),
  };
}

/** Unexpected errors (a bug, a storage failure) are not Luma's: let them surface as such. */
function errorDetails(error: unknown): LumaErrorDetails {
  if (!(error instanceof LumaError)) throw error;
  const { kind, status, detail, retryAfterSeconds, reason, attempts, ambiguous } = error;
  return { kind, status, detail, retryAfterSeconds, reason, attempts, ...(ambiguous ? { ambiguous } : {}) };
}

/** Generations remembered as possibly deleted; beyond this the oldest are forgotten. */
const MAX_UNCERTAIN = 1_000;
