import { describe, expect, inject, it } from 'vitest';
import type { DeleteIntents } from '../../../src/core/account/delete-intents.ts';
import type { DeletesLog } from '../../../src/core/account/deletes-log.ts';
import type { PreferencesStore } from '../../../src/core/account/preferences.ts';
import { createUserAccount, type UserAccount } from '../../../src/core/account/user-account.ts';
import { createLumaClient } from '../../../src/core/luma/luma-client.ts';
import { SimulatorControl } from '../../support/simulator-control.ts';
import { lumaFetch } from '../helpers/luma-fetch.ts';

/**
 * The delete rules of the person's account, against the Luma simulator, for any storage a runtime
 * gives it: the evidence rule, intents that outlive the call and (where the storage is durable)
 * the process, a crash between Luma's answer and the log write. Run with memory storage in every
 * runtime (test/core/account/user-account.test.ts) and with Deno KV, restarts included
 * (test/deno/in-deno/deno-kv-store.test.ts).
 */
export interface Storage {
  log: DeletesLog;
  intents: DeleteIntents;
  preferences: PreferencesStore;
}

export interface StorageUnderTest {
  /** Fresh, empty storage for one test. */
  open(): Promise<Storage>;
  /** The same storage as after a restart of the process (only for durable storage). */
  reopen?(previous: Storage): Promise<Storage>;
  close?(storage: Storage): Promise<void> | void;
}

const simulator = new SimulatorControl(inject('lumaSimulatorUrl'));
const client = { id: 'contract', name: 'Contract test' };

function accountOn(storage: Storage, apiKey: string): UserAccount {
  return createUserAccount({
    ...storage,
    getLumaKey: async () => apiKey,
    lumaClient: (key) => createLumaClient({ apiKey: key, baseUrl: simulator.baseUrl, timeoutMs: 300, retry: { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 50 }, fetch: lumaFetch }),
  });
}

async function loseEveryAnswer(apiKey: string, id: string) {
  await simulator.injectFault({ apiKey, method: 'DELETE', path: `/generations/${id}`, drop: true, applyAfterHandling: true, times: 1 });
  await simulator.injectFault({ apiKey, method: 'DELETE', path: `/generations/${id}`, status: 503, times: 2 });
}

export function accountContract(name: string, storage: StorageUnderTest): void {
  /** Runs `body` on fresh storage, and closes it (and any reopened copy) afterwards. */
  const withStorage = (body: (opened: Storage, track: (reopened: Storage) => Storage) => Promise<void>) => async () => {
    const opened: Storage[] = [await storage.open()];
    try {
      await body(opened[0]!, (reopened) => {
        opened.push(reopened);
        return reopened;
      });
    } finally {
      for (const each of opened) await storage.close?.(each);
    }
  };

  describe(`the account's delete rules (${name})`, () => {
    it('a 2xx is deleted and logged, and leaves no open intent', withStorage(async (store) => {
      const { apiKey, generations } = await simulator.createAccount(1);
      const id = generations[0]!.id;
      const result = await accountOn(store, apiKey).deleteGeneration(id, client);
      expect(result).toMatchObject({ ok: true, status: 'deleted', entry: { outcome: 'deleted', confirmed_by: 'luma' } });
      expect(await store.log.find(id)).toMatchObject({ outcome: 'deleted' });
      expect(await store.intents.get(id)).toBeNull();
    }));

    it('a plain 404 is not_found, not logged, with no open intent', withStorage(async (store) => {
      const { apiKey } = await simulator.createAccount(0);
      const id = crypto.randomUUID();
      const result = await accountOn(store, apiKey).deleteGeneration(id, client);
      expect(result).toMatchObject({ ok: false, error: { kind: 'not_found' } });
      expect(await store.log.find(id)).toBeNull();
      expect(await store.intents.get(id)).toBeNull();
    }));

    it('an ID this account never had, after a 502: gone_unconfirmed, never deleted', withStorage(async (store) => {
      const { apiKey } = await simulator.createAccount(0);
      const id = crypto.randomUUID();
      await simulator.injectFault({ apiKey, method: 'DELETE', path: `/generations/${id}`, status: 502, times: 1 });
      const result = await accountOn(store, apiKey).deleteGeneration(id, client);
      expect(result).toMatchObject({ ok: true, status: 'gone_unconfirmed', entry: { outcome: 'gone_unconfirmed', confirmed_by: 'gone_after_retry' } });
      expect(await store.log.find(id)).toMatchObject({ outcome: 'gone_unconfirmed' });
    }));

    it('after a read, a lost answer then a 404 in the same call is deleted', withStorage(async (store) => {
      const { apiKey, generations } = await simulator.createAccount(1);
      const id = generations[0]!.id;
      const account = accountOn(store, apiKey);
      expect((await account.getGeneration(id)).ok).toBe(true);
      await simulator.injectFault({ apiKey, method: 'DELETE', path: `/generations/${id}`, drop: true, applyAfterHandling: true, times: 1 });
      const result = await account.deleteGeneration(id, client);
      expect(result).toMatchObject({ ok: true, status: 'deleted', entry: { outcome: 'deleted', confirmed_by: 'gone_after_retry', generation: { prompt: generations[0]!.request.prompt } } });
    }));

    it('every answer lost: the intent stays open, and the repeat settles it by the evidence', withStorage(async (store) => {
      const { apiKey, generations } = await simulator.createAccount(2);
      const [seen, unseen] = generations.map((generation) => generation.id) as [string, string];
      const account = accountOn(store, apiKey);
      await account.listGenerations({ limit: 1, offset: 0 }); // the newest one only: `seen`
      expect(await store.log.known(seen)).toBeDefined();
      expect(await store.log.known(unseen)).toBeUndefined();
      for (const id of [seen, unseen]) {
        await loseEveryAnswer(apiKey, id);
        expect(await account.deleteGeneration(id, client)).toMatchObject({ ok: false, error: { kind: 'unavailable', ambiguous: true } });
        expect(await store.intents.get(id)).toMatchObject({ generation_id: id, client });
      }
      expect(await accountOn(store, apiKey).deleteGeneration(seen, client)).toMatchObject({ ok: true, status: 'deleted' });
      expect(await accountOn(store, apiKey).deleteGeneration(unseen, client)).toMatchObject({ ok: true, status: 'gone_unconfirmed' });
      expect(await store.intents.get(seen)).toBeNull();
      expect(await store.intents.get(unseen)).toBeNull();
    }));

    it('turning confirmations off is kept', withStorage(async (store) => {
      const { apiKey } = await simulator.createAccount(0);
      await accountOn(store, apiKey).setPreferences({ confirm_deletes: false });
      expect(await accountOn(store, apiKey).getPreferences()).toEqual({ confirm_deletes: false });
    }));

    if (storage.reopen) {
      const reopen = storage.reopen.bind(storage);

      it('a restart after every answer was lost: with evidence deleted, logged once; without, gone_unconfirmed', withStorage(async (store, track) => {
        const { apiKey, generations } = await simulator.createAccount(2);
        const [seen, unseen] = generations.map((generation) => generation.id) as [string, string];
        await accountOn(store, apiKey).getGeneration(seen);
        for (const id of [seen, unseen]) {
          await loseEveryAnswer(apiKey, id);
          expect(await accountOn(store, apiKey).deleteGeneration(id, client)).toMatchObject({ ok: false });
        }
        const after = track(await reopen(store));
        const account = accountOn(after, apiKey);
        expect(await account.deleteGeneration(seen, client)).toMatchObject({ ok: true, status: 'deleted', entry: { confirmed_by: 'gone_after_retry' } });
        expect(await account.deleteGeneration(unseen, client)).toMatchObject({ ok: true, status: 'gone_unconfirmed' });
        expect(await account.deleteGeneration(seen, client)).toMatchObject({ ok: true, status: 'already_deleted' });
        const log = (await after.log.list({ limit: 10 })).entries;
        expect(log.map((entry) => [entry.generation_id, entry.outcome])).toEqual([
          [unseen, 'gone_unconfirmed'],
          [seen, 'deleted'],
        ]);
      }));

      it('a crash between Luma\'s 204 and the log write: the repeat after a restart logs it', withStorage(async (store, track) => {
        const { apiKey, generations } = await simulator.createAccount(1);
        const id = generations[0]!.id;
        await accountOn(store, apiKey).getGeneration(id);
        const crashing: Storage = {
          ...store,
          log: Object.assign(Object.create(Object.getPrototypeOf(store.log)), store.log, {
            append: async () => {
              throw new Error('injected crash before the log write');
            },
          }),
        };
        await expect(accountOn(crashing, apiKey).deleteGeneration(id, client)).rejects.toThrow('injected crash');
        expect((await simulator.account(apiKey)).deletedIds).toEqual([id]);
        const after = track(await reopen(store));
        expect(await after.intents.get(id)).toMatchObject({ generation_id: id });
        expect(await accountOn(after, apiKey).deleteGeneration(id, client)).toMatchObject({ ok: true, status: 'deleted' });
        expect((await after.log.list({ limit: 10 })).entries).toHaveLength(1);
      }));

      it('the log, the read cache and the preference survive a restart', withStorage(async (store, track) => {
        const { apiKey, generations } = await simulator.createAccount(2);
        const account = accountOn(store, apiKey);
        await account.getGeneration(generations[1]!.id);
        await account.deleteGeneration(generations[0]!.id, client);
        await account.setPreferences({ confirm_deletes: false });
        const after = track(await reopen(store));
        expect(await after.log.find(generations[0]!.id)).toMatchObject({ outcome: 'deleted' });
        expect(await after.log.known(generations[1]!.id)).toBeDefined();
        expect(await after.preferences.get()).toEqual({ confirm_deletes: false });
      }));
    }
  });
}
