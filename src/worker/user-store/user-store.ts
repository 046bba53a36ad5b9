import { DurableObject } from 'cloudflare:workers';
import { DEFAULT_PREFERENCES, type PreferencesStore, type UserPreferences } from '../../core/account/preferences.ts';
import { createUserAccount, isUserAccountMethod, USER_ACCOUNT_METHODS, type UserAccount, type UserAccountMethod } from '../../core/account/user-account.ts';
import { createLumaClient } from '../../core/luma/luma-client.ts';
import { lumaClientSettings, readSecrets, retentionSettings } from '../config.ts';
import type { Env } from '../env.ts';
import { CACHED_ENTRIES, RecentDeletesCache, type CachedDeletes } from '../log-cache/recent-deletes-cache.ts';
import { openLumaKey, sealLumaKey, type SealedKey } from './key-encryption.ts';
import { SqliteDeletesLog } from './sqlite-deletes-log.ts';

const LUMA_KEY = 'luma-key';
const USER_ID = 'user-id';
const CACHE_STALE = 'cache-stale';
const PREFERENCES = 'preferences';
/** How long to wait before retrying a failed write of the KV copy. */
const CACHE_REPAIR_DELAY_MS = 30_000;

/**
 * One per user, named by the opaque user ID. Holds the user's Luma key (encrypted at rest) and is
 * the source of truth for their deletes log: deletes for one user are decided here, one at a time,
 * so the log has each deleted generation exactly once. After every change it writes the newest
 * entries through to Workers KV, and repairs that copy (on an alarm) if KV was failing.
 *
 * The person's account (src/core/account/user-account.ts) runs here, and is exposed once, through
 * {@link UserStore.call}; {@link accountOf} gives callers in the Worker the same contract.
 */
export class UserStore extends DurableObject<Env> {
  private readonly log: SqliteDeletesLog;
  private readonly account: UserAccount;
  /** The edge copy of the log. A field so that fault-injection tests can swap in a failing one. */
  cache: RecentDeletesCache;
  private cacheDirty = false;
  private flushing: Promise<void> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.log = new SqliteDeletesLog(ctx.storage.sql, retentionSettings(env));
    this.cache = new RecentDeletesCache(env.DELETES_CACHE);
    const settings = lumaClientSettings(env);
    this.account = createUserAccount({
      log: this.log,
      preferences: this.preferences(),
      getLumaKey: () => this.readLumaKey(),
      lumaClient: (apiKey) => createLumaClient({ ...settings, apiKey }),
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
    const result = await (this.account[method] as (...args: unknown[]) => Promise<unknown>)(...args);
    const changedLog =
      method === 'clearDeletes' || (method === 'deleteGeneration' && (result as { ok: boolean; status?: string }).ok && (result as { status?: string }).status === 'deleted');
    if (changedLog) await this.syncCache();
    // A page read from the log itself means the caller missed the KV copy: refresh it.
    else if (method === 'listDeletes') this.ctx.waitUntil(this.syncCache());
    return result;
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
    await this.flushing?.catch(() => undefined); // a copy being written now must not outlive the erase
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    void new SqliteDeletesLog(this.ctx.storage.sql); // its tables again, empty, for this instance
    await this.env.DELETES_CACHE.delete(RecentDeletesCache.key(userId));
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

  /** Retries a KV write that failed earlier. */
  override async alarm(): Promise<void> {
    if (await this.ctx.storage.get(CACHE_STALE)) await this.syncCache();
  }

  /**
   * Writes the newest entries to KV, one write at a time: a change made while a write is under way
   * is picked up by one more write, so the last write always carries the latest state. A failure
   * never reaches the caller (the log itself is safe here); it marks the copy stale and sets an
   * alarm to try again.
   */
  private syncCache(): Promise<void> {
    this.cacheDirty = true;
    this.flushing ??= this.flushCache().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async flushCache(): Promise<void> {
    const userId = await this.ctx.storage.get<string>(USER_ID);
    if (!userId) return;
    while (this.cacheDirty) {
      this.cacheDirty = false;
      const snapshot: CachedDeletes = { ...this.log.newest(CACHED_ENTRIES), written_at: new Date().toISOString() };
      try {
        await this.cache.write(userId, snapshot);
      } catch {
        console.warn('user-store: writing the recent-deletes cache failed; will retry');
        await this.ctx.storage.put(CACHE_STALE, true);
        await this.ctx.storage.setAlarm(Date.now() + CACHE_REPAIR_DELAY_MS);
        return;
      }
    }
    await this.ctx.storage.delete(CACHE_STALE);
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
