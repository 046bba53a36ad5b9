import { describe, expect, it } from 'vitest';
import { LumaSimulator, makeGeneration, makeGenerations } from '../../simulator/luma-simulator.ts';
import type { SimulatedGeneration } from '../../simulator/luma-simulator.ts';
import { call, UUID_V4 } from './helpers.ts';

/** The Luma API itself, called in-process through handle(). */

const ALICE = 'key-alice';
const BOB = 'key-bob';

function datedGenerations(count: number): SimulatedGeneration[] {
  // Oldest first on purpose: the simulator must sort newest first itself.
  return Array.from({ length: count }, (_, index) =>
    makeGeneration({ created_at: new Date(Date.UTC(2025, 0, 1, 0, index)).toISOString(), request: { prompt: `prompt ${index}` } }),
  );
}

function twoAccounts() {
  const alice = datedGenerations(12);
  const bob = datedGenerations(2);
  const simulator = new LumaSimulator({
    accounts: {
      [ALICE]: { generations: alice, creditBalance: 1234.5 },
      [BOB]: { generations: bob },
      'key-forbidden': { generations: 1, forbidden: true },
    },
  });
  return { simulator, alice, bob };
}

describe('authentication', () => {
  it.each([
    ['no Authorization header', {}],
    ['a Basic credential', { Authorization: 'Basic a2V5LWFsaWNlOg==' }],
    ['Bearer without a token', { Authorization: 'Bearer ' }],
    ['a bare token without the scheme', { Authorization: ALICE }],
    ['an unknown key', { Authorization: 'Bearer key-nobody' }],
  ])('rejects %s with 401 and Luma\'s detail', async (_label, headers) => {
    const { simulator } = twoAccounts();
    for (const path of ['/credits', '/generations', `/generations/${crypto.randomUUID()}`, '/ping']) {
      const response = await call(simulator, 'GET', path, { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('Content-Type')).toBe('application/json');
      expect(await response.json()).toEqual({ detail: 'Invalid API key is provided' });
    }
  });

  it('accepts the scheme in any case', async () => {
    const { simulator } = twoAccounts();
    const response = await call(simulator, 'GET', '/credits', { headers: { Authorization: `bearer ${ALICE}` } });
    expect(response.status).toBe(200);
  });

  it('answers 403 with a detail for a key marked forbidden', async () => {
    const { simulator } = twoAccounts();
    const response = await call(simulator, 'DELETE', `/generations/${simulator.generations('key-forbidden')[0]!.id}`, { key: 'key-forbidden' });
    expect(response.status).toBe(403);
    expect((await response.json()).detail).toEqual(expect.any(String));
    expect(simulator.deletedIds('key-forbidden')).toEqual([]);
  });
});

describe('ping and credits', () => {
  it('pings (the OpenAPI puts /ping under the global Bearer security too)', async () => {
    const { simulator } = twoAccounts();
    const response = await call(simulator, 'GET', '/ping', { key: ALICE });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ message: 'pong' });
  });

  it('reports the key\'s credit balance, with a default for accounts that set none', async () => {
    const { simulator } = twoAccounts();
    expect(await (await call(simulator, 'GET', '/credits', { key: ALICE })).json()).toEqual({ credit_balance: 1234.5 });
    expect(await (await call(simulator, 'GET', '/credits', { key: BOB })).json()).toEqual({ credit_balance: expect.any(Number) });
  });
});

describe('GET /generations', () => {
  it('lists the key\'s generations newest first, 10 by default', async () => {
    const { simulator, alice } = twoAccounts();
    const body = await (await call(simulator, 'GET', '/generations', { key: ALICE })).json();
    const newestFirst = [...alice].reverse().map((generation) => generation.id);
    expect(body).toMatchObject({ has_more: true, count: 10, limit: 10, offset: 0 });
    expect(body.generations.map((generation: SimulatedGeneration) => generation.id)).toEqual(newestFirst.slice(0, 10));
    expect(body.generations[0]).toEqual(alice[11]);
  });

  it('pages with limit and offset, and says when there is no more', async () => {
    const { simulator, alice } = twoAccounts();
    const newestFirst = [...alice].reverse().map((generation) => generation.id);
    const page = async (query: string) => (await call(simulator, 'GET', `/generations?${query}`, { key: ALICE })).json();

    const second = await page('limit=5&offset=5');
    expect(second).toMatchObject({ has_more: true, count: 5, limit: 5, offset: 5 });
    expect(second.generations.map((generation: SimulatedGeneration) => generation.id)).toEqual(newestFirst.slice(5, 10));

    const last = await page('limit=5&offset=10');
    expect(last).toMatchObject({ has_more: false, count: 2, limit: 5, offset: 10 });

    expect(await page('limit=12')).toMatchObject({ has_more: false, count: 12 });
    expect(await page('offset=50')).toMatchObject({ has_more: false, count: 0, generations: [] });
    expect(await page('limit=100')).toMatchObject({ count: 12, limit: 100 });
  });

  it.each(['limit=0', 'limit=101', 'limit=abc', 'limit=-1', 'limit=1.5', 'limit=', 'offset=-1', 'offset=x'])(
    'rejects %s with 400 and a detail',
    async (query) => {
      const { simulator } = twoAccounts();
      const response = await call(simulator, 'GET', `/generations?${query}`, { key: ALICE });
      expect(response.status).toBe(400);
      expect((await response.json()).detail).toMatch(/limit|offset/);
    },
  );

  it('shows each key only its own generations', async () => {
    const { simulator, bob } = twoAccounts();
    const body = await (await call(simulator, 'GET', '/generations', { key: BOB })).json();
    expect(body.generations.map((generation: SimulatedGeneration) => generation.id)).toEqual([bob[1]!.id, bob[0]!.id]);
  });
});

describe('GET /generations/{id}', () => {
  it('returns the generation', async () => {
    const { simulator, alice } = twoAccounts();
    const response = await call(simulator, 'GET', `/generations/${alice[3]!.id}`, { key: ALICE });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(alice[3]);
  });

  it('is 404 for an unknown ID and for another key\'s generation', async () => {
    const { simulator, bob } = twoAccounts();
    for (const id of [crypto.randomUUID(), bob[0]!.id]) {
      const response = await call(simulator, 'GET', `/generations/${id}`, { key: ALICE });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ detail: 'Generation not found' });
    }
  });

  it('matches IDs exactly (an upper-case spelling is a different, unknown ID)', async () => {
    const { simulator, alice } = twoAccounts();
    const response = await call(simulator, 'GET', `/generations/${alice[0]!.id.toUpperCase()}`, { key: ALICE });
    expect(response.status).toBe(404);
  });
});

describe('DELETE /generations/{id}', () => {
  it('answers 204 with an empty body and removes the generation', async () => {
    const { simulator, alice } = twoAccounts();
    const id = alice[4]!.id;
    const response = await call(simulator, 'DELETE', `/generations/${id}`, { key: ALICE });
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
    expect(await response.text()).toBe('');
    expect(simulator.deletedIds(ALICE)).toEqual([id]);
    expect(simulator.generations(ALICE).map((generation) => generation.id)).not.toContain(id);
    expect(simulator.generations(ALICE)).toHaveLength(11);
  });

  it('is 404 afterwards, for GET and for a second DELETE', async () => {
    const { simulator, alice } = twoAccounts();
    const id = alice[0]!.id;
    await call(simulator, 'DELETE', `/generations/${id}`, { key: ALICE });
    const again = await call(simulator, 'DELETE', `/generations/${id}`, { key: ALICE });
    expect(again.status).toBe(404);
    expect(await again.json()).toEqual({ detail: 'Generation not found' });
    expect((await call(simulator, 'GET', `/generations/${id}`, { key: ALICE })).status).toBe(404);
    expect(simulator.deletedIds(ALICE)).toEqual([id]);
  });

  it('never deletes across keys: another key gets 404 and nothing changes', async () => {
    const { simulator, alice } = twoAccounts();
    const id = alice[0]!.id;
    const response = await call(simulator, 'DELETE', `/generations/${id}`, { key: BOB });
    expect(response.status).toBe(404);
    expect(simulator.generations(ALICE)).toHaveLength(12);
    expect(simulator.deletedIds(ALICE)).toEqual([]);
    expect(simulator.deletedIds(BOB)).toEqual([]);
  });

  it('keeps deletions in order', async () => {
    const { simulator, alice } = twoAccounts();
    for (const generation of [alice[2]!, alice[7]!, alice[0]!]) await call(simulator, 'DELETE', `/generations/${generation.id}`, { key: ALICE });
    expect(simulator.deletedIds(ALICE)).toEqual([alice[2]!.id, alice[7]!.id, alice[0]!.id]);
  });
});

describe('routing', () => {
  it.each(['/', '/nope', '/generations/', '/generations/a/b', '/dream-machine/v1/credits', '/generations/x/upscale'])(
    '%s is 404 Not Found, before any key check',
    async (path) => {
      const { simulator } = twoAccounts();
      const response = await call(simulator, 'GET', path);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ detail: 'Not Found' });
    },
  );

  it.each([
    ['POST', '/generations/00000000-0000-4000-8000-000000000000', 'GET, DELETE'],
    ['PUT', '/credits', 'GET'],
    ['DELETE', '/generations', 'GET'],
    ['DELETE', '/credits', 'GET'],
  ])('%s %s is 405 with an Allow header', async (method, path, allow) => {
    const { simulator } = twoAccounts();
    const response = await call(simulator, method, path, { key: ALICE });
    expect(response.status).toBe(405);
    expect(response.headers.get('Allow')).toBe(allow);
    expect(await response.json()).toEqual({ detail: 'Method Not Allowed' });
  });
});

describe('the request record', () => {
  it('records method, path, query, key and status in order', async () => {
    const { simulator, alice } = twoAccounts();
    await call(simulator, 'GET', '/generations?limit=2&offset=1', { key: ALICE });
    await call(simulator, 'DELETE', `/generations/${alice[0]!.id}`, { key: ALICE });
    await call(simulator, 'GET', '/credits');
    expect(simulator.requests()).toEqual([
      { seq: 1, method: 'GET', path: '/generations', query: 'limit=2&offset=1', apiKey: ALICE, status: 200, at: expect.any(String) },
      { seq: 2, method: 'DELETE', path: `/generations/${alice[0]!.id}`, query: '', apiKey: ALICE, status: 204, at: expect.any(String) },
      { seq: 3, method: 'GET', path: '/credits', query: '', apiKey: null, status: 401, at: expect.any(String) },
    ]);
    expect(Date.parse(simulator.requests()[0]!.at)).not.toBeNaN();
  });

  it('filters by method, path prefix and key', async () => {
    const { simulator, alice } = twoAccounts();
    await call(simulator, 'GET', '/credits', { key: ALICE });
    await call(simulator, 'DELETE', `/generations/${alice[0]!.id}`, { key: ALICE });
    await call(simulator, 'GET', '/generations', { key: BOB });
    expect(simulator.requests({ method: 'delete' }).map((request) => request.path)).toEqual([`/generations/${alice[0]!.id}`]);
    expect(simulator.requests({ pathPrefix: '/generations' })).toHaveLength(2);
    expect(simulator.requests({ apiKey: BOB }).map((request) => request.path)).toEqual(['/generations']);
    expect(simulator.requests({ apiKey: ALICE, method: 'GET' }).map((request) => request.path)).toEqual(['/credits']);
  });

  it('records an encoded slash exactly as received, and it finds nothing', async () => {
    const { simulator } = twoAccounts();
    const response = await call(simulator, 'DELETE', '/generations/..%2Fcredits', { key: ALICE });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: 'Generation not found' });
    expect(simulator.requests()).toMatchObject([{ method: 'DELETE', path: '/generations/..%2Fcredits', status: 404 }]);
  });

  it.each([
    ['/generations/../credits', '/credits'],
    ['/generations/%2e%2e/credits', '/credits'],
    ['/generations/.%2E/credits', '/credits'],
    ['/generations/..', '/'],
    ['/generations/%2e%2e', '/'],
    ['/generations/./x', '/generations/x'],
    ['/generations/..\\credits', '/credits'],
  ])('URL parsing resolves %s to %s before the simulator sees it', async (sent, seen) => {
    const { simulator } = twoAccounts();
    await call(simulator, 'DELETE', sent, { key: ALICE });
    expect(simulator.requests().map((request) => request.path)).toEqual([seen]);
  });

  it('hands out copies, and clearRequests() empties it while seq keeps counting', async () => {
    const { simulator } = twoAccounts();
    await call(simulator, 'GET', '/credits', { key: ALICE });
    simulator.requests()[0]!.status = 999;
    expect(simulator.requests()[0]!.status).toBe(200);
    simulator.clearRequests();
    expect(simulator.requests()).toEqual([]);
    await call(simulator, 'GET', '/credits', { key: ALICE });
    expect(simulator.requests()).toMatchObject([{ seq: 2 }]);
  });
});

describe('accounts', () => {
  it('adds accounts with seeded generations, replacing an existing one with a clean slate', async () => {
    const { simulator, alice } = twoAccounts();
    await call(simulator, 'DELETE', `/generations/${alice[0]!.id}`, { key: ALICE });
    simulator.addAccount(ALICE, { generations: 3 });
    expect(simulator.generations(ALICE)).toHaveLength(3);
    expect(simulator.deletedIds(ALICE)).toEqual([]);
    simulator.addAccount('key-carol');
    expect(simulator.generations('key-carol')).toEqual([]);
    expect((await call(simulator, 'GET', '/credits', { key: 'key-carol' })).status).toBe(200);
  });

  it('refuses bad accounts and throws for unknown keys', () => {
    const simulator = new LumaSimulator();
    const id = crypto.randomUUID();
    expect(() => simulator.addAccount('k', { generations: [{ id }, { id }] })).toThrow(/unique/);
    expect(() => simulator.addAccount('has space', {})).toThrow(TypeError);
    expect(() => simulator.addAccount('k', { generations: -1 })).toThrow(TypeError);
    expect(() => simulator.generations('nobody')).toThrow(/No simulator account/);
  });

  it('keeps its own copies of the generations it was given', () => {
    const generations = datedGenerations(1);
    const simulator = new LumaSimulator({ accounts: { k: { generations } } });
    generations[0]!.state = 'failed';
    simulator.generations('k')[0]!.state = 'queued';
    expect(simulator.generations('k')[0]!.state).toBe('completed');
  });
});

describe('reset()', () => {
  it('goes back to the constructor\'s accounts (same IDs), with no faults, record or delay', async () => {
    const simulator = new LumaSimulator({ accounts: { [ALICE]: { generations: 3 } } });
    const original = simulator.generations(ALICE);
    await call(simulator, 'DELETE', `/generations/${original[0]!.id}`, { key: ALICE });
    simulator.addAccount(BOB, { generations: 1 });
    simulator.injectFault({ status: 500, times: 0 });
    simulator.setDelay(5_000);

    simulator.reset();

    expect(simulator.generations(ALICE)).toEqual(original);
    expect(simulator.deletedIds(ALICE)).toEqual([]);
    expect(simulator.hasAccount(BOB)).toBe(false);
    expect(simulator.requests()).toEqual([]);
    const started = Date.now();
    expect((await call(simulator, 'GET', '/credits', { key: ALICE })).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(simulator.requests()).toMatchObject([{ seq: 1 }]);
  });
});

describe('makeGeneration / makeGenerations', () => {
  it('fills realistic defaults with a random v4 UUID', () => {
    const generation = makeGeneration();
    expect(generation.id).toMatch(UUID_V4);
    expect(makeGeneration().id).not.toBe(generation.id);
    expect(generation).toMatchObject({ generation_type: 'video', state: 'completed', failure_reason: null, model: 'ray-2' });
    expect(generation.assets?.video).toMatch(/^https:\/\/storage\.example\.invalid\//);
    expect(generation.request.prompt).toEqual(expect.any(String));
    expect(Date.parse(generation.created_at)).not.toBeNaN();
  });

  it('derives the rest from what is given', () => {
    expect(makeGeneration({ state: 'failed' })).toMatchObject({ failure_reason: expect.any(String), assets: null });
    expect(makeGeneration({ generation_type: 'image' })).toMatchObject({ model: 'photon-1', assets: { image: expect.any(String) } });
    expect(makeGeneration({ state: 'dreaming' }).assets).toEqual({ progress_video: expect.any(String) });
    expect(makeGeneration({ state: 'queued', failure_reason: 'x', assets: null })).toMatchObject({ failure_reason: 'x', assets: null });
  });

  it('makes varied batches, newest first', () => {
    const batch = makeGenerations(9, Date.UTC(2025, 5, 1));
    expect(new Set(batch.map((generation) => generation.generation_type)).size).toBeGreaterThan(2);
    expect(new Set(batch.map((generation) => generation.state)).size).toBeGreaterThan(2);
    expect(batch[0]!.created_at).toBe('2025-06-01T00:00:00.000Z');
    const times = batch.map((generation) => Date.parse(generation.created_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(makeGenerations(3).every((generation) => generation.state === 'completed')).toBe(true);
  });
});
