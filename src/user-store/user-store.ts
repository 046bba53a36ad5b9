import { DurableObject } from 'cloudflare:workers';
import { readSecrets } from '../config.ts';
import type { Env } from '../env.ts';
import { openLumaKey, sealLumaKey, type SealedKey } from './key-encryption.ts';

const LUMA_KEY = 'luma-key';

/**
 * One per user (named by the opaque user ID): holds that user's Luma API key, encrypted at rest.
 * A Durable Object rather than KV because it is the one place a user's state can be changed
 * consistently; the deletes log will live here too.
 */
export class UserStore extends DurableObject<Env> {
  /** Stores (or replaces) the user's key. `userId` is the name this object was reached by. */
  async setLumaKey(userId: string, lumaKey: string): Promise<void> {
    const sealed = await sealLumaKey(lumaKey, this.encryptionSecret(), userId);
    await this.ctx.storage.put(LUMA_KEY, sealed);
  }

  /** The user's key, or `null` if none is stored (or it cannot be decrypted any more). */
  async getLumaKey(userId: string): Promise<string | null> {
    const sealed = await this.ctx.storage.get<SealedKey>(LUMA_KEY);
    if (!sealed) return null;
    try {
      // Sealed with the user ID as associated data: the wrong ID cannot open it.
      return await openLumaKey(sealed, this.encryptionSecret(), userId);
    } catch {
      // The secret was rotated or the record damaged: the person must reconnect, which re-seals it.
      console.warn('user-store: a stored Luma key could not be decrypted; treating it as absent');
      return null;
    }
  }

  async hasLumaKey(): Promise<boolean> {
    return (await this.ctx.storage.get(LUMA_KEY)) !== undefined;
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
