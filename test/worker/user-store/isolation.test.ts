import { describe, expect, it } from 'vitest';
import { callDelete, mcpClient, textOf } from '../helpers/mcp-client.ts';
import { connectAs } from '../helpers/oauth.ts';
import { simulator } from '../helpers/worker.ts';

describe('two users with different keys', () => {
  it('each acts only with their own key: B cannot delete A\'s generation, and A\'s key never serves B', async () => {
    const alice = await simulator.createAccount(2);
    const bob = await simulator.createAccount(2);
    const aliceClient = await mcpClient((await connectAs(alice.apiKey, 'Alice app')).accessToken);
    const bobClient = await mcpClient((await connectAs(bob.apiKey, 'Bob app')).accessToken);

    const attempt = await callDelete(bobClient, alice.generations[0]!.id);
    expect(attempt.isError).toBe(true);
    expect(attempt.structuredContent).toMatchObject({ error: { code: 'not_found' } });
    expect(textOf(attempt)).not.toContain(alice.apiKey);
    expect((await simulator.account(alice.apiKey)).deletedIds).toEqual([]);

    const own = await callDelete(aliceClient, alice.generations[0]!.id);
    expect(own.isError).toBeFalsy();

    // Every DELETE carried the key of the user who made the call, and no other.
    const aliceDeletes = (await simulator.requestsFor(alice.apiKey)).filter((request) => request.method === 'DELETE');
    const bobDeletes = (await simulator.requestsFor(bob.apiKey)).filter((request) => request.method === 'DELETE');
    expect(aliceDeletes.map((request) => request.path)).toEqual([`/generations/${alice.generations[0]!.id}`]);
    expect(bobDeletes.map((request) => request.path)).toEqual([`/generations/${alice.generations[0]!.id}`]);
    expect(bobDeletes[0]!.status).toBe(404);

    await aliceClient.close();
    await bobClient.close();
  });
});
