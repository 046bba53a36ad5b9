import type { Client } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { connectModernWithOAuth } from './helpers/modern-oauth-client.ts';
import { useStack } from './helpers/stack.ts';

/**
 * MCP 2026-07-28 end to end: `wrangler dev`, the Luma simulator, and the official v2 client doing
 * the whole OAuth flow (discovery, registration, PKCE, consent, code exchange with the issuer
 * checked) and then every tool, confirmations included.
 */
const stack = useStack();

/** A fresh simulator account, its key noted so the Worker's logs are checked for it. */
async function account(generations: number) {
  const created = await stack.simulator.createAccount(generations);
  stack.keysUsed.push(created.apiKey);
  return created;
}

const deletesOf = async (apiKey: string) => (await stack.simulator.requestsFor(apiKey)).filter((request) => request.method === 'DELETE').map((request) => request.path);

describe.each(['pin', 'auto'] as const)('the v2 client (%s) through the whole OAuth flow', (mode) => {
  it('connects in the 2026-07-28 era, with the issuer checked, and uses every tool', async () => {
    const { apiKey, generations } = await account(4);
    const ids = generations.map((generation) => generation.id);
    const { client, callback } = await connectModernWithOAuth(stack.worker.origin, apiKey, { mode, answer: () => ({ action: 'accept', content: { confirm: true } }) });
    try {
      // The authorization response named its issuer (RFC 9207), and the client accepted it.
      expect(callback.searchParams.get('iss')).toBe(stack.worker.origin);
      expect(client.getProtocolEra()).toBe('modern');
      const { tools } = await client.listTools();
      expect(tools).toHaveLength(7);

      const listed = await client.callTool({ name: 'list_generations', arguments: {} });
      expect((listed.structuredContent as { count: number }).count).toBe(4);
      expect(await client.callTool({ name: 'get_generation', arguments: { generation_id: ids[0] } })).toMatchObject({ structuredContent: { id: ids[0] } });
      expect(await client.callTool({ name: 'delete_generation', arguments: { generation_id: ids[0] } })).toMatchObject({ structuredContent: { outcome: 'deleted' } });
      expect(await client.callTool({ name: 'delete_generations', arguments: { generation_ids: [ids[1], ids[2]] } })).toMatchObject({ structuredContent: { summary: { deleted: 2 } } });
      const log = await client.callTool({ name: 'list_recent_deletes', arguments: {} });
      expect((log.structuredContent as { entries: { generation_id: string; client: { name: string } }[] }).entries.map((entry) => entry.generation_id).sort()).toEqual(ids.slice(0, 3).sort());
      expect((log.structuredContent as { entries: { client: { name: string } }[] }).entries[0]!.client.name).toBe('E2E modern client');
      expect(await client.callTool({ name: 'set_delete_confirmation', arguments: { enabled: true } })).toMatchObject({ structuredContent: { confirm_deletes: true } });
      expect(await client.callTool({ name: 'clear_recent_deletes', arguments: {} })).toMatchObject({ structuredContent: { cleared: 3 } });
      expect((await deletesOf(apiKey)).sort()).toEqual(ids.slice(0, 3).map((id) => `/generations/${id}`).sort());
    } finally {
      await client.close();
    }
  });
});

describe('confirmation over the wire', () => {
  it.each([
    ['declined', { action: 'decline' as const }],
    ['cancelled', { action: 'cancel' as const }],
  ])('%s: nothing reaches Luma', async (outcome, answer) => {
    const { apiKey, generations } = await account(1);
    const { client } = await connectModernWithOAuth(stack.worker.origin, apiKey, { answer: () => answer });
    try {
      const result = await client.callTool({ name: 'delete_generation', arguments: { generation_id: generations[0]!.id } });
      expect(result.structuredContent).toMatchObject({ outcome });
      expect(await deletesOf(apiKey)).toEqual([]);
    } finally {
      await client.close();
    }
  });
});

describe('the issuer check (RFC 9207)', () => {
  it('a callback naming another issuer is refused by the client, and no token is issued to it', async () => {
    const { apiKey } = await account(1);
    const forged = connectModernWithOAuth(stack.worker.origin, apiKey, {
      tamperRedirect: (callback) => {
        const changed = new URL(callback);
        changed.searchParams.set('iss', 'https://evil.example');
        return changed;
      },
    });
    await expect(forged).rejects.toThrow(/iss|issuer/i);
  });
});
