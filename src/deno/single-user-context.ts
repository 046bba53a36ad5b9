import type { DeleteEntry, DeletesLog } from '../core/account/deletes-log.ts';
import type { ToolContext, UserPreferences } from '../core/tools/tool-context.ts';
import type { UserActions } from '../core/account/user-account.ts';

/**
 * The tools' view of the one user of a self-hosted server: the Worker's ToolContext
 * (src/worker/mcp/luma-mcp-agent.ts) without the per-user Durable Object and the KV copy. The actions and
 * the log are shared by every session, so that two sessions deleting the same generation still
 * share one request to Luma and one log entry; only `client` (who asked) differs per session.
 */
export interface SingleUserState {
  actions: UserActions;
  log: DeletesLog;
  preferences: PreferencesStore;
}

export interface PreferencesStore {
  get(): Promise<UserPreferences>;
  set(changes: Partial<UserPreferences>): Promise<UserPreferences>;
}

const DEFAULT_PREFERENCES: UserPreferences = { confirm_deletes: true };

/** Preferences for the life of the process; confirmations start on, as in the Worker. */
export function memoryPreferences(): PreferencesStore {
  let current: UserPreferences = { ...DEFAULT_PREFERENCES };
  return {
    async get() {
      return { ...current };
    },
    async set(changes) {
      current = { ...current, ...changes };
      return { ...current };
    },
  };
}

export function singleUserContext(state: SingleUserState, client: () => DeleteEntry['client']): ToolContext {
  const { actions, log, preferences } = state;
  return {
    keyAdvice: 'Set LUMA_API_KEY to a valid Luma API key for this server and restart it.',
    deleteGeneration: (generationId) => actions.deleteGeneration(generationId, client()),
    previewDelete: (generationId) => actions.previewDelete(generationId),
    getGeneration: (generationId) => actions.getGeneration(generationId),
    listGenerations: (page) => actions.listGenerations(page),
    // There is no edge copy here: every page comes from the log itself.
    listRecentDeletes: async (query) => ({ ...(await log.list(query)), source: 'log' }),
    clearRecentDeletes: async () => ({ cleared: await log.clear() }),
    getPreferences: () => preferences.get(),
    setPreferences: (changes) => preferences.set(changes),
  };
}
