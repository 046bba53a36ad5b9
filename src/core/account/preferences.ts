/** What a person decides about how this server treats them, the same on every runtime. */
export interface UserPreferences {
  /** Ask the person to confirm each delete, when their client can ask (MCP elicitation). */
  confirm_deletes: boolean;
}

/** Confirmations start on: nothing irreversible happens unasked unless the person said so. */
export const DEFAULT_PREFERENCES: UserPreferences = { confirm_deletes: true };

/** Where a runtime keeps one person's preferences. */
export interface PreferencesStore {
  get(): Promise<UserPreferences>;
  set(changes: Partial<UserPreferences>): Promise<UserPreferences>;
}

/** Preferences for the life of the process (the self-hosted server's, and tests'). */
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
