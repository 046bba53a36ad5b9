import { DurableObject } from 'cloudflare:workers';
import { lumaClientSettings, readSecrets, retentionSettings } from '../config.ts';
import type { Env } from '../env.ts';
import { CACHED_ENTRIES, RecentDeletesCache, type CachedDeletes } from '../log-cache/recent-deletes-cache.ts';
import { createLumaClient } from '../../core/luma/luma-client.ts';
import type { Generation, GenerationList } from '../../core/luma/luma-client.ts';
import type { DeleteEntry, DeletesPage, DeletesQuery, KnownGeneration } from '../../core/account/deletes-log.ts';
import { createUserActions, type ActionResult, type DeleteCallResult, type UserActions } from '../../core/account/user-account.ts';
import type { DeletePreview, UserPreferences } from '../../core/tools/tool-context.ts';
import { openLumaKey, sealLumaKey, type SealedKey } from './key-encryption.ts';
import { SqliteDeletesLog } from './sqlite-deletes-log.ts';

const LUMA_KEY = 'luma-key';
const USER_ID = 'user-id';
const CACHE_STALE = 'cache-stale';
const PREFERENCES = 'preferences';
const DEFAULT_PREFERENCES: UserPreferences = { confirm_deletes: true };
/** How long to wait before retrying a failed write of the KV copy. */
const CACHE_REPAIR_DELAY_MS = 30_000;

/**
 * One per user, named by the opaque user ID. Holds the user's Luma key (encrypted at rest) and is
 * the source of truth for their deletes log: deletes for one user are decided here, one at a time,
 * so the log has each deleted generation exactly once. After every change it writes the newest
 * entries through to Workers KV, and repairs that copy (on an alarm) if KV was failing.
 */
export class UserStore extends DurableObject<Env> {
  private readonly log: SqliteDeletesLog;
  private readonly actions: UserActions;
  /** The edge copy of the log. A field so that fault-injection tests can swap in a failing one. */
  cache: RecentDeletesCache;
  private cacheDirty = false;
  private flushing: Promise<void> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.log = new SqliteDeletesLog(ctx.storage.sql, retentionSettings(env));
    this.cache = new RecentDeletesCache(env.DELETES_CACHE);
    const settings = lumaClientSettings(env);
    this.actions = createUserActions({
      log: this.log,
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

  /** Deletes a generation with the user's key, once, and logs it. See createUserActions. */
  async deleteGeneration(userId: string, generationId: string, client: DeleteEntry['client']): Promise<DeleteCallResult> {
    await this.bindUser(userId);
    const result = await this.actions.deleteGeneration(generationId, client);
    if (result.ok && result.status === 'deleted') await this.syncCache();
    return result;
  }

  /** What a confirmation should show before deleting, without asking Luma anything. */
  async previewDelete(userId: string, generationId: string): Promise<DeletePreview> {
    await this.bindUser(userId);
    return this.actions.previewDelete(generationId);
  }

  async getGeneration(userId: string, generationId: string): Promise<ActionResult<Generation>> {
    await this.bindUser(userId);
    return this.actions.getGeneration(generationId);
  }

  async listGenerations(userId: string, page: { limit: number; offset: number }): Promise<ActionResult<GenerationList>> {
    await this.bindUser(userId);
    return this.actions.listGenerations(page);
  }

  async getPreferences(userId: string): Promise<UserPreferences> {
    await this.bindUser(userId);
    return { ...DEFAULT_PREFERENCES, ...(await this.ctx.storage.get<Partial<UserPreferences>>(PREFERENCES)) };
  }

  async setPreferences(userId: string, changes: Partial<UserPreferences>): Promise<UserPreferences> {
    const next = { ...(await this.getPreferences(userId)), ...changes };
    await this.ctx.storage.put(PREFERENCES, next);
    return next;
  }

  /** A page of the log, newest first. Also refreshes the KV copy, which the caller missed. */
  async listDeletes(userId: string, query: DeletesQuery): Promise<DeletesPage> {
    await this.bindUser(userId);
    const page = await this.log.list(query);
    this.ctx.waitUntil(this.syncCache());
    return page;
  }

  async clearDeletes(userId: string): Promise<{ cleared: number }> {
    await this.bindUser(userId);
    const cleared = await this.log.clear();
    await this.syncCache();
    return { cleared };
  }

  /** Records what a read learned about a generation, for its log entry should it be deleted. */
  async rememberGeneration(userId: string, generationId: string, details: KnownGeneration): Promise<void> {
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
