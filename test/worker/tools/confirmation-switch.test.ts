import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { userIdForLumaKey } from '../../../src/worker/auth/user-id.ts';
import { userStoreFor, type UserStore } from '../../../src/worker/user-store/user-store.ts';
import { callDelete, mcpClient, textOf } from '../helpers/mcp-client.ts';
import { connectAs } from '../helpers/oauth.ts';
import { simulator } from '../helpers/worker.ts';

/**
 * Only the person turns the confirmation question off, and every confirmation fails closed: a
 * model that calls the switch from a client that cannot ask gets an error and changes nothing,
 * and the next bulk delete in a client that can ask still asks.
 */
const open: Client[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
});

async function person(count: number) {
  const account = await simulator.createAccount(count);
  const { accessToken } = await connectAs(account.apiKey);
  const questions: string[] = [];
  let answer: 'accept' | 'decline' = 'decline';
  const cannotAsk = await mcpClient(accessToken);
  const canAsk = await mcpClient(accessToken, () => {
    questions.push(answer);
    return answer === 'accept' ? { action: 'accept', content: { confirm: true } } : { action: 'decline' };
  });
  open.push(cannotAsk, canAsk);
  const userId = await userIdForLumaKey(account.apiKey, env.USER_ID_SECRET!);
  return {
    ...account,
    ids: account.generations.map((generation) => generation.id),
    cannotAsk,
    canAsk,
    questions,
    answer: (next: 'accept' | 'decline') => void (answer = next),
    userId,
    store: userStoreFor(env, userId),
  };
}

async function setConfirmation(client: Client, enabled: boolean) {
  return (await client.callTool({ name: 'set_delete_confirmation', arguments: { enabled } })) as CallToolResult;
}

describe('the confirmation switch', () => {
  it('a model switching it off from a client that cannot ask gets an error; the next bulk delete still asks in a client that can', async () => {
    const alice = await person(3);
    const off = await setConfirmation(alice.cannotAsk, false);
    expect(off.isError).toBe(true);
    expect(textOf(off)).toContain('can only be turned off from an app that can ask you');
    expect(await alice.store.call(alice.userId, 'getPreferences', [])).toEqual({ confirm_deletes: true });

    alice.answer('decline');
    const bulk = (await alice.canAsk.callTool({ name: 'delete_generations', arguments: { generation_ids: alice.ids } })) as CallToolResult;
    // The person was asked (once, for the batch), said no, and nothing was deleted.
    expect(alice.questions).toHaveLength(1);
    expect(bulk.structuredContent).toMatchObject({ summary: { deleted: 0, not_confirmed: 3 } });
    expect(textOf(bulk)).toContain('declined');
    expect((await simulator.account(alice.apiKey)).deletedIds).toEqual([]);
  });

  it('the person declining the switch leaves it on; accepting turns it off; turning it on asks nothing', async () => {
    const alice = await person(1);
    alice.answer('decline');
    const declined = await setConfirmation(alice.canAsk, false);
    expect(declined.isError).toBe(true);
    expect(await alice.store.call(alice.userId, 'getPreferences', [])).toEqual({ confirm_deletes: true });

    alice.answer('accept');
    const accepted = await setConfirmation(alice.canAsk, false);
    expect(accepted.isError).toBeFalsy();
    expect(accepted.structuredContent).toEqual({ confirm_deletes: false });
    expect(alice.questions).toHaveLength(2);

    const on = await setConfirmation(alice.cannotAsk, true);
    expect(on.structuredContent).toEqual({ confirm_deletes: true });
    expect(alice.questions).toHaveLength(2);
  });
});

describe('confirmations fail closed', () => {
  async function breakAccount(alice: Awaited<ReturnType<typeof person>>, method: 'getPreferences' | 'previewDelete') {
    await runInDurableObject(alice.store, (instance: UserStore) => {
      (instance as unknown as { account: Record<string, unknown> }).account[method] = async () => {
        throw new Error(`injected: ${method} failed`);
      };
    });
  }

  it.each(['getPreferences', 'previewDelete'] as const)('when %s fails, nothing is deleted and the answer says so', async (method) => {
    const alice = await person(2);
    await breakAccount(alice, method);
    alice.answer('accept');
    const single = await callDelete(alice.canAsk, alice.ids[0]);
    expect(single.isError).toBe(true);
    expect(textOf(single)).toContain('Nothing was deleted');
    const bulk = (await alice.canAsk.callTool({ name: 'delete_generations', arguments: { generation_ids: alice.ids } })) as CallToolResult;
    expect(bulk.isError).toBe(true);
    expect(alice.questions).toEqual([]);
    expect((await simulator.requestsFor(alice.apiKey)).filter((request) => request.method === 'DELETE')).toEqual([]);
  });
});
