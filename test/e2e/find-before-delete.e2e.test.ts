import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ElicitRequestSchema, type CallToolResult, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { connectWithOAuth, InMemoryOAuthProvider, type TransportKind } from './helpers/mcp-oauth-client.ts';
import { useStack } from './helpers/stack.ts';

/**
 * Finding, confirming and bulk-deleting through the official SDK client after the full OAuth flow,
 * over Streamable HTTP and SSE, against `wrangler dev` and the Luma stack.simulator.
 */
const stack = useStack();

/** A fresh simulator account, its key noted so the Worker's logs are checked for it. */
async function account(generations: number) {
  const created = await stack.simulator.createAccount(generations);
  stack.keysUsed.push(created.apiKey);
  return created;
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

/** A client that declares elicitation and answers every confirmation with `answer`, recording the questions. */
function elicitingClient(answer: ElicitResult) {
  const questions: string[] = [];
  const make = () => {
    const client = new Client({ name: 'e2e-eliciting', version: '1.0.0' }, { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      questions.push(String(request.params.message));
      return answer;
    });
    return client;
  };
  return { make, questions };
}

const deletesOf = async (apiKey: string) => (await stack.simulator.requestsFor(apiKey)).filter((request) => request.method === 'DELETE');

describe.each<TransportKind>(['streamable-http', 'sse'])('over %s', (kind) => {
  it('pages through more generations than fit on one page, each exactly once, newest first', async () => {
    const { apiKey } = await account(25);
    const expected = (await stack.simulator.account(apiKey)).generations.map((generation) => generation.id);
    const { client } = await connectWithOAuth(stack.worker.origin, kind, apiKey);
    const seen: string[] = [];
    let offset: number | undefined = 0;
    for (let page = 0; page < 10 && offset !== undefined; page++) {
      const result = await call(client, 'list_generations', { limit: 10, offset });
      expect(result.isError).toBeFalsy();
      const content = result.structuredContent as { generations: { id: string }[]; has_more: boolean; next_offset?: number };
      seen.push(...content.generations.map((generation) => generation.id));
      offset = content.has_more ? content.next_offset : undefined;
    }
    expect(seen).toEqual(expected);
    // Paging went out as query parameters, page by page.
    const lists = (await stack.simulator.requestsFor(apiKey)).filter((request) => request.path === '/generations');
    expect(lists.map((request) => request.query)).toEqual(['limit=10&offset=0', 'limit=10&offset=10', 'limit=10&offset=20']);
    await client.close();
  });

  it('gets one generation, and a later delete logs what the read learned without an extra request', async () => {
    const { apiKey, generations } = await account(2);
    const target = generations[0]!;
    const { client } = await connectWithOAuth(stack.worker.origin, kind, apiKey);
    const got = await call(client, 'get_generation', { generation_id: target.id });
    expect(got.structuredContent).toMatchObject({ id: target.id, state: target.state, prompt: target.request.prompt });
    const before = (await stack.simulator.requestsFor(apiKey)).length;
    expect((await call(client, 'delete_generation', { generation_id: target.id })).isError).toBeFalsy();
    expect((await stack.simulator.requestsFor(apiKey)).length - before).toBe(1);
    const log = (await call(client, 'list_recent_deletes', {})).structuredContent as { entries: { generation?: Record<string, unknown> }[] };
    expect(log.entries[0]!.generation).toMatchObject({ generation_type: target.generation_type, prompt: target.request.prompt, created_at: target.created_at });
    await client.close();
  });

  it('get_generation refuses a bad ID without a request', async () => {
    const { apiKey } = await account(1);
    const { client } = await connectWithOAuth(stack.worker.origin, kind, apiKey);
    const before = (await stack.simulator.requestsFor(apiKey)).length;
    const result = await call(client, 'get_generation', { generation_id: '../credits' });
    expect(result.isError).toBe(true);
    expect((await stack.simulator.requestsFor(apiKey)).length).toBe(before);
    await client.close();
  });

  it.each<[string, ElicitResult, string, number]>([
    ['accepted', { action: 'accept', content: { confirm: true } }, 'deleted', 1],
    ['declined', { action: 'decline' }, 'declined', 0],
    ['cancelled', { action: 'cancel' }, 'cancelled', 0],
    ['accepted with the box unticked', { action: 'accept', content: { confirm: false } }, 'declined', 0],
  ])('asks to confirm first; %s', async (_label, answer, outcome, deletes) => {
    const { apiKey, generations } = await account(1);
    const target = generations[0]!;
    const eliciting = elicitingClient(answer);
    const { client } = await connectWithOAuth(stack.worker.origin, kind, apiKey, new InMemoryOAuthProvider(), eliciting.make);
    await call(client, 'get_generation', { generation_id: target.id }); // so the question can say what it is
    const result = await call(client, 'delete_generation', { generation_id: target.id });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ outcome });
    expect(eliciting.questions).toHaveLength(1);
    expect(eliciting.questions[0]).toContain(target.id);
    expect(eliciting.questions[0]).toContain(target.generation_type);
    expect(await deletesOf(apiKey)).toHaveLength(deletes);
    await client.close();
  });

  it('does not ask a client without elicitation, and deletes as before', async () => {
    const { apiKey, generations } = await account(1);
    const { client } = await connectWithOAuth(stack.worker.origin, kind, apiKey);
    const result = await call(client, 'delete_generation', { generation_id: generations[0]!.id });
    expect(result.structuredContent).toMatchObject({ outcome: 'deleted' });
    await client.close();
  });

  it('lets the person turn confirmation off, remembered for their next session', async () => {
    const { apiKey, generations } = await account(1);
    const eliciting = elicitingClient({ action: 'decline' });
    // The person says no to turning it off: unchanged.
    const refusing = await connectWithOAuth(stack.worker.origin, kind, apiKey, new InMemoryOAuthProvider(), eliciting.make);
    expect((await call(refusing.client, 'set_delete_confirmation', { enabled: false })).isError).toBe(true);
    expect(eliciting.questions).toHaveLength(1);
    await refusing.client.close();
    eliciting.questions.length = 0;
    // The person says yes to that very question: off, for every session.
    const agreeing = elicitingClient({ action: 'accept', content: { confirm: true } });
    const first = await connectWithOAuth(stack.worker.origin, kind, apiKey, new InMemoryOAuthProvider(), agreeing.make);
    expect((await call(first.client, 'set_delete_confirmation', { enabled: false })).structuredContent).toEqual({ confirm_deletes: false });
    expect(agreeing.questions).toEqual([expect.stringMatching(/Turn off delete confirmations/)]);
    await first.client.close();
    const second = await connectWithOAuth(stack.worker.origin, kind, apiKey, new InMemoryOAuthProvider(), eliciting.make);
    const result = await call(second.client, 'delete_generation', { generation_id: generations[0]!.id });
    expect(result.structuredContent).toMatchObject({ outcome: 'deleted' });
    expect(eliciting.questions).toEqual([]);
    await second.client.close();
  });

  it('bulk-deletes a mix of existing, missing and already-deleted IDs, with an outcome per ID, each logged once', async () => {
    const { apiKey, generations } = await account(4);
    const ids = generations.map((generation) => generation.id);
    const missing = '00000000-0000-4000-8000-00000000abcd';
    const { client } = await connectWithOAuth(stack.worker.origin, kind, apiKey);
    await call(client, 'delete_generation', { generation_id: ids[0] });
    const result = await call(client, 'delete_generations', { generation_ids: [ids[0], ids[1], missing, ids[2], ids[1]] });
    expect(result.isError).toBe(true); // one of them failed (not found)
    const content = result.structuredContent as { results: { generation_id: string; outcome: string; error?: { code: string } }[]; summary: Record<string, number> };
    expect(content.results.map((item) => [item.generation_id, item.outcome])).toEqual([
      [ids[0], 'already_deleted'],
      [ids[1], 'deleted'],
      [missing, 'failed'],
      [ids[2], 'deleted'],
    ]);
    expect(content.results[2]!.error?.code).toBe('not_found');
    expect(content.summary).toEqual({ deleted: 2, already_deleted: 1, failed: 1, not_confirmed: 0 });
    const log = (await call(client, 'list_recent_deletes', {})).structuredContent as { entries: { generation_id: string }[] };
    expect(log.entries.map((entry) => entry.generation_id).sort()).toEqual([ids[0], ids[1], ids[2]].sort());
    expect((await deletesOf(apiKey)).map((request) => request.path).sort()).toEqual(
      [ids[0], ids[1], missing, ids[2]].map((id) => `/generations/${id}`).sort(),
    );
    await client.close();
  });

  it('rejects a bulk call with one malformed ID before any request', async () => {
    const { apiKey, generations } = await account(3);
    const { client } = await connectWithOAuth(stack.worker.origin, kind, apiKey);
    const before = (await stack.simulator.requestsFor(apiKey)).length;
    const result = await call(client, 'delete_generations', { generation_ids: [generations[0]!.id, '../credits', generations[1]!.id] });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain('item 2');
    expect((await stack.simulator.requestsFor(apiKey)).length).toBe(before);
    expect((await stack.simulator.account(apiKey)).deletedIds).toEqual([]);
    await client.close();
  });

  it('asks once for a whole batch, and deletes nothing when declined', async () => {
    const { apiKey, generations } = await account(3);
    const eliciting = elicitingClient({ action: 'decline' });
    const { client } = await connectWithOAuth(stack.worker.origin, kind, apiKey, new InMemoryOAuthProvider(), eliciting.make);
    const result = await call(client, 'delete_generations', { generation_ids: generations.map((generation) => generation.id) });
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as { summary: Record<string, number> }).summary).toMatchObject({ not_confirmed: 3, deleted: 0 });
    expect(eliciting.questions).toHaveLength(1);
    expect(await deletesOf(apiKey)).toEqual([]);
    await client.close();
  });
});
