import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { userStoreFor, type UserStore } from '../../../src/worker/user-store/user-store.ts';

const KEY = 'luma-secret-key-for-the-store-test';

describe('UserStore', () => {
  it('returns null until a key is stored, then the key', async () => {
    const store = userStoreFor(env, 'u_store_a');
    expect(await store.getLumaKey('u_store_a')).toBeNull();
    await store.setLumaKey('u_store_a', KEY);
    expect(await store.getLumaKey('u_store_a')).toBe(KEY);
  });

  it('keeps the key encrypted at rest', async () => {
    const store = userStoreFor(env, 'u_store_b');
    await store.setLumaKey('u_store_b', KEY);
    const raw = await runInDurableObject(store, async (_instance, state) => JSON.stringify([...(await state.storage.list()).entries()]));
    expect(raw).not.toContain(KEY);
    expect(raw).toContain('ciphertext');
  });

  it('replaces the key when it is stored again', async () => {
    const store = userStoreFor(env, 'u_store_c');
    await store.setLumaKey('u_store_c', KEY);
    await store.setLumaKey('u_store_c', `${KEY}-new`);
    expect(await store.getLumaKey('u_store_c')).toBe(`${KEY}-new`);
  });

  it('answers only for the user it belongs to', async () => {
    const store = userStoreFor(env, 'u_store_d');
    await store.setLumaKey('u_store_d', KEY);
    await runInDurableObject(store, async (instance: UserStore) => {
      await expect(instance.getLumaKey('u_someone_else')).rejects.toThrow(/does not belong/);
      await expect(instance.call('u_someone_else', 'deleteGeneration', ['123e4567-e89b-12d3-a456-426614174000', { id: 'c', name: 'c' }])).rejects.toThrow(
        /does not belong/,
      );
      await expect(instance.call('u_someone_else', 'listDeletes', [{ limit: 10 }])).rejects.toThrow(/does not belong/);
      await expect(instance.call('u_someone_else', 'clearDeletes', [])).rejects.toThrow(/does not belong/);
      // Only the account's own methods can be called.
      await expect(instance.call('u_store_d', 'setLumaKey' as never, ['x'])).rejects.toThrow(/no such account method/);
    });
  });

  it('keeps users apart: one user\'s object has no key of another', async () => {
    await userStoreFor(env, 'u_store_e').setLumaKey('u_store_e', KEY);
    expect(await userStoreFor(env, 'u_store_f').getLumaKey('u_store_f')).toBeNull();
  });
});
