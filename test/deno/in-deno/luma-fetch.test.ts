import { describe, expect, inject, it } from 'vitest';
import { createLumaFetch } from '../../../src/deno/luma-fetch.ts';
import { SimulatorControl } from '../../support/simulator-control.ts';

/**
 * Why the Deno server gives the Luma client its own fetch (src/deno/luma-fetch.ts). Luma carries
 * out a DELETE, then the connection breaks before the answer (a fault the simulator injects).
 */
const simulator = new SimulatorControl(inject('lumaSimulatorUrl'));

async function deleteAfterAReadThenLoseTheAnswer(fetchWith: typeof fetch) {
  const { apiKey, generations } = await simulator.createAccount(1);
  const headers = { Authorization: `Bearer ${apiKey}` };
  // An earlier request leaves a keep-alive connection that a pool would reuse.
  await (await fetchWith(`${simulator.baseUrl}/generations?limit=1&offset=0`, { headers })).body?.cancel();
  await simulator.injectFault({ apiKey, method: 'DELETE', drop: true, applyAfterHandling: true, times: 1 });
  const answer = await fetchWith(`${simulator.baseUrl}/generations/${generations[0]!.id}`, { method: 'DELETE', headers }).then(
    async (response) => ({ status: response.status, body: await response.text() }),
    () => 'network error',
  );
  const deletes = (await simulator.requestsFor(apiKey)).filter((request) => request.method === 'DELETE').map((request) => request.status);
  return { answer, deletes };
}

describe('fetch on Deno, for Luma', () => {
  it('the fetch the Deno server uses reports the lost answer, having sent the DELETE once', async () => {
    const luma = createLumaFetch();
    try {
      expect(await deleteAfterAReadThenLoseTheAnswer(luma.fetch)).toEqual({ answer: 'network error', deletes: ['dropped'] });
    } finally {
      luma.close();
    }
  });

  // Deno 2.9's own fetch: if this starts failing after a Deno upgrade, Deno stopped re-sending, and
  // src/deno/luma-fetch.ts may be able to go back to the default fetch.
  it('Deno\'s default fetch re-sends the DELETE by itself and hands back only the 404', async () => {
    expect(await deleteAfterAReadThenLoseTheAnswer(fetch)).toEqual({ answer: { status: 404, body: expect.stringContaining('not found') }, deletes: ['dropped', 404] });
  });
});
