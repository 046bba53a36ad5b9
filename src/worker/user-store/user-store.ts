import { DurableObject } from 'cloudflare:workers';
import { DEFAULT_PREFERENCES, type PreferencesStore, type UserPreferences } from '../../core/account/preferences.ts';
import { createUserAccount, isUserAccountMethod, USER_ACCOUNT_METHODS, type UserAccount, type UserAccountMethod } from '../../core/account/user-account.ts';
import { createLumaClient } from '../../core/luma/luma-client.ts';
import { lumaClientSettings, readSecrets, retentionSettings } from '../config.ts';
import type { Env } from '../env.ts';
import { EdgeCopy } from '../log-cache/edge-copy.ts';
import { RecentDeletesCache } from '../log-cache/recent-deletes-cache.ts';
import { openLumaKey, sealLumaKey, type SealedKey } from './key-encryption.ts';
import { SqliteDeleteIntents } from './sqlite-delete-intents.ts';
import { SqliteDeletesLog } from './sqlite-deletes-log.ts';

const LUMA_KEY = 'luma-key';
const USER_ID = 'user-id';
const PREFERENCES = 'preferences';
/** The account methods that change the log; their results carry the log's version. */
const CHANGING_METHODS: ReadonlySet<UserAccountMethod> = new Set(['deleteGeneration', 'clearDeletes']);

/**
 * One per user, named by the opaque user ID. Holds the user's Luma key (encrypted at rest) and is
 * the source of truth for their deletes log and open delete intents (SQLite): deletes for one user
 * are decided here, one at a time, so the log has each deleted generation exactly once, and an
 * intent is stored before its DELETE leaves, so no restart or eviction loses one. After a change
 * the newest entries are copied to Workers KV on the object's alarm, at most once a second
 * (log-cache/edge-copy.ts).
 *
 * The person's account (src/core/account/user-account.ts) runs here, and is exposed once, through
 * {@link UserStore.call}; {@link accountOf} gives callers in the Worker the same contract.
 */
export class UserStore extends DurableObject<Env> {
  private readonly log: SqliteDeletesLog;
  private readonly intents: SqliteDeleteIntents;
  private readonly account: UserAccount;
  private readonly edgeCopy: EdgeCopy;
  /** The edge copy of the log. A field so that fault-injection tests can swap in a failing one. */
  cache: RecentDeletesCache;
  /** Base URLs this object learned refuse a body on DELETE (see luma-client.ts). */
  private readonly plainDeleteBaseUrls = new Set<string>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const retention = retentionSettings(env);
    this.log = new SqliteDeletesLog(ctx.storage.sql, retention);
    this.intents = new SqliteDeleteIntents(ctx.storage.sql, retention);
    this.cache = new RecentDeletesCache(env.DELETES_CACHE);
    this.edgeCopy = new EdgeCopy({ storage: ctx.storage, log: this.log, cache: () => this.cache, userId: () => ctx.storage.get<string>(USER_ID) });
    const settings = lumaClientSettings(env);
    this.account = createUserAccount({
      log: this.log,
      intents: this.intents,
      preferences: this.preferences(),
      getLumaKey: () => this.readLumaKey(),
      lumaClient: (apiKey) => createLumaClient({ ...settings, apiKey, plainDeleteBaseUrls: this.plainDeleteBaseUrls }),
    });
  }

  /** Stores (or replaces) the user's key. `userId` is the name this object was reached by. */
  async setLumaKey(userId: string, lumaKey: string): Promise<void> {
    await this.bindUser(userId);
    const sealed = await sealLumaKey(lumaKey, this.encryptionSecret(), userId);
    await this.ctx.storage.put(LUMA_KEY, sealed);
  }

  /** The user's key, or `null` if none is stored (or it cannot be decrypted any more). */
  async getLumaKey(userId: string): Promise<string | null> {
    await this.bindUser(userId);
    return this.readLumaKey();
  }

  /**
   * Runs one method of the person's account for `userId` (who must be the user this object
   * belongs to), and keeps the edge copy of the log in step with what changed.
   */
  async call(userId: string, method: UserAccountMethod, args: unknown[]): Promise<unknown> {
    if (!isUserAccountMethod(method)) throw new Error('user-store: no such account method');
    await this.bindUser(userId);
    const before = this.log.version();
    const result = await (this.account[method] as (...args: unknown[]) => Promise<unknown>)(...args);
    const after = this.log.version();
    if (after === before) return result;
    // The log changed (by this call, or one that ran meanwhile): schedule the KV copy (nothing
    // here waits for KV), and tell a caller that changed it the log's version, so that its own
    // later reads skip a copy older than this change.
    await this.edgeCopy.changed();
    if (!CHANGING_METHODS.has(method) || !result || typeof result !== 'object') return result;
    return { ...result, log_version: after };
  }

  /** Records what a read learned about a generation, for its log entry should it be deleted. */
  async rememberGeneration(userId: string, generationId: string, details: Parameters<SqliteDeletesLog['remember']>[1]): Promise<void> {
    await this.bindUser(userId);
    await this.log.remember(generationId, details);
  }

  /**
   * Forgets everything held for this user: the sealed key, the deletes log and what reads learned,
   * preferences, and the log's KV copy. The next tool call finds no key and says to reconnect.
   */
  async erase(userId: string): Promise<void> {
    await this.bindUser(userId);
    await this.ctx.storage.deleteAlarm(); // no edge-copy write after this
    await this.ctx.storage.deleteAll();
    // Every table again, empty, for this instance.
    this.log.createTables();
    this.intents.createTables();
    this.edgeCopy.createTable();
    await this.edgeCopy.erase(userId);
  }

  private preferences(): PreferencesStore {
    const storage = this.ctx.storage;
    const get = async (): Promise<UserPreferences> => ({ ...DEFAULT_PREFERENCES, ...(await storage.get<Partial<UserPreferences>>(PREFERENCES)) });
    return {
      get,
      async set(changes) {
        const next = { ...(await get()), ...changes };
        await storage.put(PREFERENCES, next);
        return next;
      },
    };
  }

  /** Writes the KV copy of the log when it is behind (coalesced, at most once a second; see EdgeCopy). */
  override async alarm(): Promise<void> {
    await this.edgeCopy.onAlarm();
  }

  /**
   * Remembers which user this object belongs to (the alarm needs it to name the KV key) and
   * refuses to serve any other: a stub reached by one user's name answers only for that user.
   */
  private async bindUser(userId: string): Promise<void> {
    const bound = await this.ctx.storage.get<string>(USER_ID);
    if (bound === undefined) await this.ctx.storage.put(USER_ID, userId);
    else if (bound !== userId) throw new Error('user-store: called for a user it does not belong to');
  }

  private async readLumaKey(): Promise<string | null> {
    const [sealed, userId] = await Promise.all([this.ctx.storage.get<SealedKey>(LUMA_KEY), this.ctx.storage.get<string>(USER_ID)]);
    if (!sealed || !userId) return null;
    try {
      // Sealed with the user ID as associated data: it opens only for the user it was sealed for.
      return await openLumaKey(sealed, this.encryptionSecret(), userId);
    } catch {
      // The secret was rotated or the record damaged: the person must reconnect, which re-seals it.
      console.warn('user-store: a stored Luma key could not be decrypted; treating it as absent');
      return null;
    }
  }

  private encryptionSecret(): string {
    const config = readSecrets(this.env);
    if (!config.ok) throw new Error(`user-store: ${config.problems.join('; ')}`);
    return config.secrets.keyEncryptionSecret;
  }
}

export function userStoreFor(env: Env, userId: string): DurableObjectStub<UserStore> {
  return env.USER_STORE.get(env.USER_STORE.idFromName(userId));
}

/** The person's account, as the tools see it, run in their own Durable Object: one RPC per call. */
export function accountOf(env: Env, userId: string): UserAccount {
  const store = userStoreFor(env, userId);
  const account: Partial<Record<UserAccountMethod, (...args: unknown[]) => Promise<unknown>>> = {};
  for (const method of USER_ACCOUNT_METHODS) account[method] = (...args) => store.call(userId, method, args) as Promise<unknown>;
  return account as unknown as UserAccount;
}
