import { describe, expect, it } from 'vitest';
import { DroppedConnection, LumaSimulator } from '../../simulator/luma-simulator.ts';
import type { FaultRule } from '../../simulator/luma-simulator.ts';
import { call, until } from './helpers.ts';

/** Fault injection, in-process (the network side of drops is in node-server.test.ts). */

const KEY = 'key-faults';
const OTHER = 'key-other';

function simulatorWith(options: { seed?: number } = {}) {
  const simulator = new LumaSimulator({ accounts: { [KEY]: { generations: 3 }, [OTHER]: { generations: 1 } }, ...options });
  return { simulator, ids: simulator.generations(KEY).map((generation) => generation.id) };
}

const credits = (simulator: LumaSimulator, key = KEY) => call(simulator, 'GET', '/credits', { key });

describe('status faults', () => {
  it('answer with the status, the detail and extra headers, once by default', async () => {
    const { simulator, ids } = simulatorWith();
    simulator.injectFault({ method: 'DELETE', status: 429, detail: 'Too many requests', headers: { 'Retry-After': '2' } });

    const limited = await call(simulator, 'DELETE', `/generations/${ids[0]}`, { key: KEY });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('Retry-After')).toBe('2');
    expect(await limited.json()).toEqual({ detail: 'Too many requests' });
    expect(simulator.deletedIds(KEY)).toEqual([]);

    expect((await call(simulator, 'DELETE', `/generations/${ids[0]}`, { key: KEY })).status).toBe(204);
    expect(simulator.requests()).toMatchObject([
      { status: 429, fault: 'status 429' },
      { status: 204 },
    ]);
    expect(simulator.requests()[1]).not.toHaveProperty('fault');
  });

  it.each([
    [401, 'Invalid API key is provided'],
    [500, 'Internal Server Error'],
    [503, 'Service Unavailable'],
    [418, 'HTTP 418'],
  ])('%i gets a sensible default detail', async (status, detail) => {
    const { simulator } = simulatorWith();
    simulator.injectFault({ status });
    const response = await credits(simulator);
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ detail });
  });

  it('a 204 fault answers with no body at all', async () => {
    const { simulator } = simulatorWith();
    simulator.injectFault({ status: 204 });
    const response = await credits(simulator);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
  });
});

describe('matching', () => {
  it('by method, exact path, path prefix and key', async () => {
    const { simulator, ids } = simulatorWith();
    simulator.injectFault({ method: 'DELETE', status: 500, times: 0 });
    simulator.injectFault({ path: '/credits', status: 501, times: 0 });
    simulator.injectFault({ path: '/generations/*', status: 502, times: 0 });
    simulator.injectFault({ apiKey: OTHER, status: 503, times: 0 });

    expect((await call(simulator, 'DELETE', `/generations/${ids[0]}`, { key: KEY })).status).toBe(500);
    expect((await credits(simulator)).status).toBe(501);
    expect((await call(simulator, 'GET', `/generations/${ids[0]}`, { key: KEY })).status).toBe(502);
    expect((await call(simulator, 'GET', '/generations', { key: KEY })).status).toBe(200); // '/generations/*' needs the slash
    expect((await call(simulator, 'GET', '/ping', { key: OTHER })).status).toBe(503);
    expect((await call(simulator, 'GET', '/ping', { key: KEY })).status).toBe(200);
  });

  it('applies the first matching rule, in injection order', async () => {
    const { simulator } = simulatorWith();
    simulator.injectFault({ status: 408 });
    simulator.injectFault({ status: 502 });
    expect((await credits(simulator)).status).toBe(408);
    expect((await credits(simulator)).status).toBe(502);
    expect((await credits(simulator)).status).toBe(200);
  });

  it('a rule scoped to one key leaves other keys alone and is not used up by them', async () => {
    const { simulator } = simulatorWith();
    simulator.injectFault({ apiKey: KEY, status: 500, times: 1 });
    expect((await credits(simulator, OTHER)).status).toBe(200);
    expect((await credits(simulator, KEY)).status).toBe(500);
  });
});

describe('times', () => {
  it.each([
    [2, [500, 500, 200, 200]],
    [0, [500, 500, 500, 500]],
    [Infinity, [500, 500, 500, 500]],
  ])('times: %s', async (times, statuses) => {
    const { simulator } = simulatorWith();
    simulator.injectFault({ status: 500, times });
    const seen: number[] = [];
    for (let index = 0; index < 4; index += 1) seen.push((await credits(simulator)).status);
    expect(seen).toEqual(statuses);
  });

  it('clearFaults() removes unlimited rules', async () => {
    const { simulator } = simulatorWith();
    simulator.injectFault({ status: 500, times: 0 });
    simulator.clearFaults();
    expect((await credits(simulator)).status).toBe(200);
  });
});

describe('delays', () => {
  it('a delay fault waits, then gives the normal answer (and does the work)', async () => {
    const { simulator, ids } = simulatorWith();
    simulator.injectFault({ method: 'DELETE', delayMs: 120 });
    const started = performance.now();
    const response = await call(simulator, 'DELETE', `/generations/${ids[0]}`, { key: KEY });
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    expect(response.status).toBe(204);
    expect(simulator.deletedIds(KEY)).toEqual([ids[0]]);
    expect(simulator.requests()).toMatchObject([{ status: 204, fault: 'delay 120ms' }]);
  });

  it('a delay with a status waits, then answers with the status', async () => {
    const { simulator } = simulatorWith();
    simulator.injectFault({ delayMs: 80, status: 504 });
    const started = performance.now();
    expect((await credits(simulator)).status).toBe(504);
    expect(performance.now() - started).toBeGreaterThanOrEqual(70);
  });

  it('setDelay() delays every answer until set back to 0', async () => {
    const { simulator } = simulatorWith();
    simulator.setDelay(80);
    let started = performance.now();
    await credits(simulator);
    expect(performance.now() - started).toBeGreaterThanOrEqual(70);
    simulator.setDelay(0);
    started = performance.now();
    await credits(simulator);
    expect(performance.now() - started).toBeLessThan(60);
  });

  it('records the request as pending on arrival, and as aborted (work not done) if the client gives up', async () => {
    const { simulator, ids } = simulatorWith();
    simulator.injectFault({ method: 'DELETE', delayMs: 5_000 });
    const client = new AbortController();
    const answer = call(simulator, 'DELETE', `/generations/${ids[0]}`, { key: KEY, signal: client.signal });
    expect(simulator.requests()).toMatchObject([{ status: 'pending', fault: 'delay 5000ms' }]);
    client.abort();
    await expect(answer).rejects.toThrow();
    expect(simulator.requests()).toMatchObject([{ status: 'aborted' }]);
    expect(simulator.deletedIds(KEY)).toEqual([]);
  });
});

describe('drops', () => {
  it('handle() throws DroppedConnection, records "dropped", and does nothing', async () => {
    const { simulator, ids } = simulatorWith();
    simulator.injectFault({ method: 'DELETE', drop: true });
    await expect(call(simulator, 'DELETE', `/generations/${ids[0]}`, { key: KEY })).rejects.toBeInstanceOf(DroppedConnection);
    expect(simulator.deletedIds(KEY)).toEqual([]);
    expect(simulator.generations(KEY)).toHaveLength(3);
    expect(simulator.requests()).toMatchObject([{ method: 'DELETE', status: 'dropped', fault: 'drop' }]);
  });

  it('applyAfterHandling: really deletes, then drops the answer', async () => {
    const { simulator, ids } = simulatorWith();
    simulator.injectFault({ method: 'DELETE', drop: true, applyAfterHandling: true });
    await expect(call(simulator, 'DELETE', `/generations/${ids[0]}`, { key: KEY })).rejects.toBeInstanceOf(DroppedConnection);
    expect(simulator.deletedIds(KEY)).toEqual([ids[0]]);
    expect(simulator.requests()).toMatchObject([{ status: 'dropped', fault: 'drop after handling' }]);
    // A retry finds it gone, as it would on Luma.
    expect((await call(simulator, 'DELETE', `/generations/${ids[0]}`, { key: KEY })).status).toBe(404);
  });

  it('applyAfterHandling: really deletes, then answers with the fault\'s status', async () => {
    const { simulator, ids } = simulatorWith();
    simulator.injectFault({ method: 'DELETE', status: 502, applyAfterHandling: true });
    expect((await call(simulator, 'DELETE', `/generations/${ids[1]}`, { key: KEY })).status).toBe(502);
    expect(simulator.deletedIds(KEY)).toEqual([ids[1]]);
  });

  it('applyAfterHandling with a delay: the work is done before the wait, even if the client then gives up', async () => {
    const { simulator, ids } = simulatorWith();
    simulator.injectFault({ method: 'DELETE', delayMs: 5_000, applyAfterHandling: true });
    const client = new AbortController();
    const answer = call(simulator, 'DELETE', `/generations/${ids[0]}`, { key: KEY, signal: client.signal });
    await until(() => simulator.deletedIds(KEY).length > 0);
    expect(simulator.deletedIds(KEY)).toEqual([ids[0]]);
    expect(simulator.requests()).toMatchObject([{ status: 'pending' }]);
    client.abort();
    await expect(answer).rejects.toThrow();
    expect(simulator.requests()).toMatchObject([{ status: 'aborted' }]);
  });
});

describe('probability', () => {
  async function pattern(simulator: LumaSimulator, count = 40): Promise<number[]> {
    const statuses: number[] = [];
    for (let index = 0; index < count; index += 1) statuses.push((await credits(simulator)).status);
    return statuses;
  }

  it('is reproducible from the seed, and reset() replays it', async () => {
    const first = simulatorWith({ seed: 42 }).simulator;
    first.injectFault({ status: 503, probability: 0.5, times: 0 });
    const seen = await pattern(first);
    expect(seen).toContain(503);
    expect(seen).toContain(200);

    const second = simulatorWith({ seed: 42 }).simulator;
    second.injectFault({ status: 503, probability: 0.5, times: 0 });
    expect(await pattern(second)).toEqual(seen);

    const otherSeed = simulatorWith({ seed: 7 }).simulator;
    otherSeed.injectFault({ status: 503, probability: 0.5, times: 0 });
    expect(await pattern(otherSeed)).not.toEqual(seen);

    first.reset();
    first.injectFault({ status: 503, probability: 0.5, times: 0 });
    expect(await pattern(first)).toEqual(seen);
  });

  it('only hits count towards times, and probability 0 never applies', async () => {
    const { simulator } = simulatorWith({ seed: 1 });
    simulator.injectFault({ status: 503, probability: 0.3, times: 2 });
    expect((await pattern(simulator, 60)).filter((status) => status === 503)).toHaveLength(2);

    simulator.injectFault({ status: 503, probability: 0, times: 0 });
    expect(await pattern(simulator, 10)).not.toContain(503);
  });
});

describe('rule validation', () => {
  it.each<[string, unknown]>([
    ['an unknown field (a typo)', { status: 500, delay: 10 }],
    ['drop together with a status', { drop: true, status: 500 }],
    ['a rule that does nothing', { method: 'DELETE' }],
    ['a status out of range', { status: 99 }],
    ['a negative delay', { delayMs: -1 }],
    ['fractional times', { status: 500, times: 1.5 }],
    ['a probability above 1', { status: 500, probability: 2 }],
    ['a path without a leading slash', { status: 500, path: 'credits' }],
    ['a non-string header', { status: 500, headers: { 'Retry-After': 2 } }],
  ])('refuses %s', (_label, rule) => {
    const { simulator } = simulatorWith();
    expect(() => simulator.injectFault(rule as FaultRule)).toThrow(TypeError);
  });
});
