import type { DeleteOutcome, Generation, GenerationList, LumaClient } from '../luma/luma-client.ts';
import { LumaError, type LumaErrorDetails } from '../luma/luma-error.ts';
import type { DeleteEntry, DeletesLog, DeletesPage, DeletesQuery, KnownGeneration, LoggedDelete } from './deletes-log.ts';
import type { DeleteIntent, DeleteIntents } from './delete-intents.ts';
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
  /** Open delete intents, kept as durably as the log (see delete-intents.ts). */
  intents: DeleteIntents;
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
   * A generation already in the log is answered from it, with no upstream request. Otherwise the
   * intent is recorded durably, exactly one delete goes to Luma (the client may retry it), and the
   * outcome is logged before it is reported. What may be claimed (the evidence rule):
   * - Luma answered 2xx: `deleted`.
   * - Luma answered 404 after an attempt that may have reached it unheard (in this call, or an
   *   earlier one whose intent is still open, e.g. before a restart or a crash between Luma's 204
   *   and the log write): `deleted` if this account is known to have had the generation (an
   *   earlier read, or an intent that saw it); otherwise `gone_unconfirmed`, never `deleted`, never
   *   "nothing was deleted".
   * - A plain 404 with no such attempt: `not_found`, not logged.
   * Any other failure keeps the intent open when the attempt may have reached Luma, and settles it
   * when it surely did not.
   */
  async function deleteOnce(generationId: string, client: DeleteEntry['client']): Promise<DeleteCallResult> {
    const earlier = await deps.log.find(generationId);
    if (earlier) return answerFromLog(earlier);
    const apiKey = await deps.getLumaKey();
    if (!apiKey) return { ok: false, error: { kind: 'no_api_key' } };
    const [known, open] = await Promise.all([deps.log.known(generationId), deps.intents.get(generationId)]);
    const seen = known ?? open?.seen;
    // Durable before the DELETE leaves: a lost answer, a restart or a crash cannot lose the fact.
    const intent: DeleteIntent = {
      generation_id: generationId,
      recorded_at: open?.recorded_at ?? now().toISOString(),
      client: open?.client ?? client,
      ...(seen ? { seen } : {}),
    };
    await deps.intents.put(intent);
    let outcome: DeleteOutcome;
    try {
      outcome = await deps.lumaClient(apiKey).deleteGeneration(generationId);
    } catch (error) {
      const details = errorDetails(error);
      if (details.kind === 'not_found' && open) {
        // An earlier attempt may have deleted it: the 404 is that attempt's answer, heard late.
        outcome = { confirmedBy: 'gone_after_retry', attempts: details.attempts };
      } else {
        // Settled only when no attempt, then or now, can have reached Luma unheard.
        if (!open && !details.ambiguous && details.kind !== 'unavailable') await deps.intents.remove(generationId);
        return { ok: false, error: details };
      }
    }
    const evidence = outcome.confirmedBy === 'luma' || seen !== undefined;
    const entry: DeleteEntry = {
      generation_id: generationId,
      deleted_at: now().toISOString(),
      outcome: evidence ? 'deleted' : 'gone_unconfirmed',
      confirmed_by: outcome.confirmedBy,
      client: intent.client,
      ...(seen ? { generation: seen } : {}),
    };
    const logged = await deps.log.append(entry);
    await deps.intents.remove(generationId);
    return { ok: true, status: logged.outcome === 'deleted' ? 'deleted' : 'gone_unconfirmed', entry: logged };
  }

  async function answerFromLog(entry: DeleteEntry): Promise<DeleteCallResult> {
    // Settled: an intent left behind by a stop between the log write and its removal goes too.
    await deps.intents.remove(entry.generation_id);
    return { ok: true, status: entry.outcome === 'deleted' ? 'already_deleted' : 'gone_unconfirmed', entry, from_log: true };
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

