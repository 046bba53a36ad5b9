import { memoryIntents } from '../../../src/core/account/delete-intents.ts';
import { memoryPreferences } from '../../../src/core/account/preferences.ts';
import { MemoryDeletesLog } from '../../../src/deno/memory-deletes-log.ts';
import { accountContract } from './account-contract.ts';

// Memory storage has no restart to survive; the Worker's SQLite and Deno KV run the restart cases
// (test/worker/user-store/delete-evidence.test.ts, test/deno/in-deno/deno-kv-store.test.ts).
accountContract('memory', {
  open: async () => ({ log: new MemoryDeletesLog(), intents: memoryIntents(), preferences: memoryPreferences() }),
});
