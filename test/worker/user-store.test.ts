import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { userStoreFor } from '../../src/user-store/user-store.ts';

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

  it('will not open a key for another user ID, even in the same storage', async () => {
    const store = userStoreFor(env, 'u_store_d');
    await store.setLumaKey('u_store_d', KEY);
    expect(await store.getLumaKey('u_someone_else')).toBeNull();
  });

  it('keeps users apart: one user\'s object has no key of another', async () => {
    await userStoreFor(env, 'u_store_e').setLumaKey('u_store_e', KEY);
    expect(await userStoreFor(env, 'u_store_f').getLumaKey('u_store_f')).toBeNull();
  });
});
