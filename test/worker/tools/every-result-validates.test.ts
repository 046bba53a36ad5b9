import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mcpClient } from '../helpers/mcp-client.ts';
import { modernClient, type Answer } from '../helpers/modern-client.ts';
import { connectAs } from '../helpers/oauth.ts';
import { simulator } from '../helpers/worker.ts';

/**
 * Every tool, on every outcome it has, through the official clients of both eras, which validate
 * results against the tool's output schema once they have listed the tools (as Inspector and most
 * hosts do). A result that did not conform would reach the test as a protocol error instead of a
 * result; each case also checks the outcome is the one it means to provoke.
 */
interface Caller {
  call(name: string, args: Record<string, unknown>): Promise<{ isError?: boolean; structuredContent?: Record<string, unknown>; content: unknown[] }>;
  close(): Promise<void>;
}

type Era = 'legacy' | 'modern';

async function connect(era: Era, accessToken: string, answer?: () => Answer): Promise<Caller> {
  const client = era === 'legacy' ? await mcpClient(accessToken, answer) : await modernClient(accessToken, answer ? { answer } : {});
  // Listing first is what makes the clients validate every later result.
  const { tools } = await client.listTools();
  expect(tools.length).toBe(7);
  return {
    call: async (name, args) => (await client.callTool({ name, arguments: args })) as never,
    close: () => client.close(),
  };
}

const MISSING = '00000000-0000-4000-8000-00000000abcd';

describe.each<Era>(['legacy', 'modern'])('every result conforms to its output schema (%s era)', (era) => {
  let apiKey: string;
  let ids: string[];
  let accessToken: string;
  const open: Caller[] = [];
  const client = async (answer?: () => Answer) => {
    const caller = await connect(era, accessToken, answer);
    open.push(caller);
    return caller;
  };

  beforeEach(async () => {
    const account = await simulator.createAccount(6);
    apiKey = account.apiKey;
    ids = account.generations.map((generation) => generation.id);
    accessToken = (await connectAs(apiKey)).accessToken;
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((caller) => caller.close()));
  });

  it('list_generations and get_generation: found, bad ID, not found, key rejected, Luma down', async () => {
    const c = await client();
    expect(await c.call('list_generations', { limit: 2 })).toMatchObject({ structuredContent: { count: 2, has_more: true } });
    expect(await c.call('get_generation', { generation_id: ids[0] })).toMatchObject({ structuredContent: { id: ids[0] } });
    expect(await c.call('get_generation', { generation_id: '../credits' })).toMatchObject({ isError: true });
    expect(await c.call('get_generation', { generation_id: MISSING })).toMatchObject({ isError: true });
    await simulator.injectFault({ apiKey, status: 401, times: 2 });
    expect(await c.call('list_generations', {})).toMatchObject({ isError: true });
    expect(await c.call('get_generation', { generation_id: ids[0] })).toMatchObject({ isError: true });
    await simulator.injectFault({ apiKey, status: 503, times: 0 });
    expect(await c.call('list_generations', {})).toMatchObject({ isError: true });
  });

  it('delete_generation: deleted, already deleted, bad ID, not found, declined, cancelled, Luma down', async () => {
    const plain = await client();
    expect(await plain.call('delete_generation', { generation_id: ids[0] })).toMatchObject({ structuredContent: { outcome: 'deleted' } });
    expect(await plain.call('delete_generation', { generation_id: ids[0] })).toMatchObject({ structuredContent: { outcome: 'already_deleted' } });
    expect(await plain.call('delete_generation', { generation_id: 'nope' })).toMatchObject({ isError: true, structuredContent: { outcome: 'failed' } });
    expect(await plain.call('delete_generation', { generation_id: MISSING })).toMatchObject({ isError: true, structuredContent: { outcome: 'failed', error: { code: 'not_found' } } });
    const declining = await client(() => ({ action: 'decline' }));
    expect(await declining.call('delete_generation', { generation_id: ids[1] })).toMatchObject({ structuredContent: { outcome: 'declined' } });
    const cancelling = await client(() => ({ action: 'cancel' }));
    expect(await cancelling.call('delete_generation', { generation_id: ids[1] })).toMatchObject({ structuredContent: { outcome: 'cancelled' } });
    // A lost answer, then "not found", for an ID this account was never seen to have: not claimed.
    await simulator.injectFault({ apiKey, method: 'DELETE', status: 502, times: 1 });
    expect(await plain.call('delete_generation', { generation_id: MISSING })).toMatchObject({ structuredContent: { outcome: 'gone_unconfirmed' } });
    expect(await plain.call('list_recent_deletes', {})).toMatchObject({ structuredContent: { entries: [{ generation_id: MISSING, outcome: 'gone_unconfirmed' }, { generation_id: ids[0] }] } });
    await simulator.injectFault({ apiKey, method: 'DELETE', status: 503, times: 0 });
    expect(await plain.call('delete_generation', { generation_id: ids[2] })).toMatchObject({ isError: true, structuredContent: { error: { code: 'luma_unavailable' } } });
  });

  it('delete_generations: all deleted, partial failure, bad IDs, declined', async () => {
    const plain = await client();
    expect(await plain.call('delete_generations', { generation_ids: [ids[0], ids[1]] })).toMatchObject({ structuredContent: { summary: { deleted: 2 } } });
    expect(await plain.call('delete_generations', { generation_ids: [ids[0], ids[2], MISSING] })).toMatchObject({
      isError: true,
      structuredContent: { summary: { already_deleted: 1, deleted: 1, failed: 1 }, error: { code: 'partial_failure' } },
    });
    expect(await plain.call('delete_generations', { generation_ids: ['nope', ids[3]] })).toMatchObject({ isError: true, structuredContent: { results: [] } });
    const declining = await client(() => ({ action: 'decline' }));
    expect(await declining.call('delete_generations', { generation_ids: [ids[3], ids[4]] })).toMatchObject({ structuredContent: { summary: { not_confirmed: 2 } } });
    await simulator.injectFault({ apiKey, method: 'DELETE', status: 502, times: 1 });
    expect(await plain.call('delete_generations', { generation_ids: [MISSING] })).toMatchObject({ structuredContent: { summary: { gone_unconfirmed: 1 } } });
  });

  it('the log and the switch: list, clear, confirmations on, off (confirmed), off (refused)', async () => {
    const plain = await client();
    await plain.call('delete_generation', { generation_id: ids[0] });
    expect(await plain.call('list_recent_deletes', {})).toMatchObject({ structuredContent: { entries: [{ generation_id: ids[0] }] } });
    expect(await plain.call('clear_recent_deletes', {})).toMatchObject({ structuredContent: { cleared: 1 } });
    expect(await plain.call('set_delete_confirmation', { enabled: true })).toMatchObject({ structuredContent: { confirm_deletes: true } });
    expect(await plain.call('set_delete_confirmation', { enabled: false })).toMatchObject({ isError: true });
    const refusing = await client(() => ({ action: 'decline' }));
    expect(await refusing.call('set_delete_confirmation', { enabled: false })).toMatchObject({ isError: true });
    const agreeing = await client(() => ({ action: 'accept', content: { confirm: true } }));
    expect(await agreeing.call('set_delete_confirmation', { enabled: false })).toMatchObject({ structuredContent: { confirm_deletes: false } });
  });
});
