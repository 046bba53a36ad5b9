import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLumaSimulator, type RunningLumaSimulator } from '../../simulator/node-server.ts';
import { rawRequest } from './helpers.ts';
import { LumaSimulator } from '../../simulator/luma-simulator.ts';

/** The strict-server switch: an account that refuses a body on DELETE, as some servers and proxies do. */
let running: RunningLumaSimulator;
beforeAll(async () => {
  running = await startLumaSimulator({
    port: 0,
    accounts: { strict: { generations: 3, refuseDeleteBodies: true }, strict415: { generations: 1, refuseDeleteBodies: 415 }, lenient: { generations: 1 } },
  });
});
afterAll(() => running.close());

describe('refuseDeleteBodies', () => {
  it('refuses a DELETE with chunked framing (even an empty body) or a length, and deletes nothing', async () => {
    const [a, b] = running.simulator.generations('strict').map((generation) => generation.id);
    const auth = { Authorization: 'Bearer strict' };
    const chunked = await rawRequest(running.url, 'DELETE', `/generations/${a}`, { ...auth, 'Transfer-Encoding': 'chunked' });
    expect(chunked.status).toBe(411);
    expect(JSON.parse(chunked.body)).toEqual({ detail: 'A DELETE request must not carry a body' });
    // A body of known length (fetch sends Content-Length: 2).
    const sized = await fetch(`${running.url}/generations/${b}`, { method: 'DELETE', headers: auth, body: '{}' });
    expect(sized.status).toBe(411);
    expect(running.simulator.deletedIds('strict')).toEqual([]);
  });

  it('accepts a plain DELETE (no body, or Content-Length: 0)', async () => {
    const [, , c] = running.simulator.generations('strict').map((generation) => generation.id);
    const plain = await rawRequest(running.url, 'DELETE', `/generations/${c}`, { Authorization: 'Bearer strict', 'Content-Length': '0' });
    expect(plain.status).toBe(204);
    expect(running.simulator.deletedIds('strict')).toEqual([c]);
  });

  it('answers with the status it was given, and leaves other accounts alone', async () => {
    const [id] = running.simulator.generations('strict415').map((generation) => generation.id);
    expect((await rawRequest(running.url, 'DELETE', `/generations/${id}`, { Authorization: 'Bearer strict415', 'Transfer-Encoding': 'chunked' })).status).toBe(415);
    const [other] = running.simulator.generations('lenient').map((generation) => generation.id);
    expect((await rawRequest(running.url, 'DELETE', `/generations/${other}`, { Authorization: 'Bearer lenient', 'Transfer-Encoding': 'chunked' })).status).toBe(204);
  });

  it('rejects a status it does not know', () => {
    expect(() => new LumaSimulator({ accounts: { x: { refuseDeleteBodies: 500 as never } } })).toThrow(/refuseDeleteBodies/);
  });
});
