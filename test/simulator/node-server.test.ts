import { Agent, request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LumaSimulator } from '../../simulator/luma-simulator.ts';
import type { SimulatedGeneration } from '../../simulator/luma-simulator.ts';
import { startLumaSimulator } from '../../simulator/node-server.ts';
import type { RunningLumaSimulator } from '../../simulator/node-server.ts';
import { rawRequest, until } from './helpers.ts';

/** The simulator over real loopback HTTP: the Node adapter and the control API. */

const KEY = 'key-http';
let server: RunningLumaSimulator;
let ids: string[];

beforeEach(async () => {
  server = await startLumaSimulator({ port: 0, accounts: { [KEY]: { generations: 3 } } });
  ids = server.simulator.generations(KEY).map((generation) => generation.id);
});

afterEach(async () => {
  await server.close();
});

const auth = { Authorization: `Bearer ${KEY}` };

async function control(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${server.url}/__simulator${path}`, {
    method,
    headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('startLumaSimulator', () => {
  it('listens on loopback at the URL it reports', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
    expect(server.simulator).toBeInstanceOf(LumaSimulator);
    const response = await fetch(`${server.url}/credits`, { headers: auth });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ credit_balance: expect.any(Number) });
  });

  it('refuses to listen anywhere but loopback', async () => {
    await expect(startLumaSimulator({ host: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });

  it('serves a simulator it is given', async () => {
    const simulator = new LumaSimulator({ accounts: { mine: { creditBalance: 7 } } });
    const other = await startLumaSimulator({ simulator });
    try {
      expect(other.simulator).toBe(simulator);
      expect(await (await fetch(`${other.url}/credits`, { headers: { Authorization: 'Bearer mine' } })).json()).toEqual({ credit_balance: 7 });
    } finally {
      await other.close();
    }
  });

  it('sends a 204 delete with no body bytes and no chunked encoding', async () => {
    const response = await rawRequest(server.url, 'DELETE', `/generations/${ids[0]}`, auth);
    expect(response.status).toBe(204);
    expect(response.body).toBe('');
    expect(response.headers['transfer-encoding']).toBeUndefined();
    expect(server.simulator.deletedIds(KEY)).toEqual([ids[0]]);
  });

  it('close() does not wait for idle keep-alive sockets or in-flight requests', async () => {
    const agent = new Agent({ keepAlive: true });
    try {
      await new Promise<void>((resolve, reject) => {
        httpRequest(`${server.url}/ping`, { agent, headers: auth }, (response) => {
          response.resume();
          response.on('end', resolve);
        })
          .on('error', reject)
          .end();
      });
      server.simulator.setDelay(10_000);
      const stuck = fetch(`${server.url}/credits`, { headers: auth });
      await until(() => server.simulator.requests().length === 2);

      const started = performance.now();
      await server.close();
      expect(performance.now() - started).toBeLessThan(1_000);
      await expect(stuck).rejects.toThrow(TypeError);
      await until(() => server.simulator.requests()[1]?.status === 'aborted');
    } finally {
      agent.destroy();
    }
  });
});

describe('faults over the network', () => {
  it('a drop is a real socket error for fetch, and nothing is deleted', async () => {
    server.simulator.injectFault({ method: 'DELETE', drop: true });
    const failure = await fetch(`${server.url}/generations/${ids[0]}`, { method: 'DELETE', headers: auth }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TypeError);
    expect(String((failure as TypeError).cause)).toMatch(/closed|socket|reset/i);
    expect(server.simulator.requests()).toMatchObject([{ method: 'DELETE', status: 'dropped' }]);
    expect(server.simulator.deletedIds(KEY)).toEqual([]);
  });

  it('applyAfterHandling: the delete happens, the client still sees a network error', async () => {
    server.simulator.injectFault({ method: 'DELETE', drop: true, applyAfterHandling: true });
    await expect(fetch(`${server.url}/generations/${ids[0]}`, { method: 'DELETE', headers: auth })).rejects.toThrow(TypeError);
    expect(server.simulator.deletedIds(KEY)).toEqual([ids[0]]);
    const retry = await fetch(`${server.url}/generations/${ids[0]}`, { method: 'DELETE', headers: auth });
    expect(retry.status).toBe(404);
  });

  it('a client timeout during a delay leaves the generation alone, and is recorded as aborted', async () => {
    server.simulator.injectFault({ method: 'DELETE', delayMs: 400 });
    await expect(
      fetch(`${server.url}/generations/${ids[0]}`, { method: 'DELETE', headers: auth, signal: AbortSignal.timeout(100) }),
    ).rejects.toThrow(/abort|timeout/i);
    await until(() => server.simulator.requests()[0]?.status === 'aborted');
    await new Promise((resolve) => setTimeout(resolve, 400)); // past the delay: still not deleted
    expect(server.simulator.deletedIds(KEY)).toEqual([]);
    expect(server.simulator.generations(KEY)).toHaveLength(3);
  });

  it('status faults keep their headers on the wire', async () => {
    server.simulator.injectFault({ status: 429, headers: { 'Retry-After': '2' } });
    const response = await fetch(`${server.url}/credits`, { headers: auth });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(await response.json()).toEqual({ detail: 'Too Many Requests' });
  });
});

describe('paths as the server receives them', () => {
  it.each([
    ['/generations/../credits', 'DELETE', '/credits', 405],
    ['/generations/%2e%2e/credits', 'DELETE', '/credits', 405],
    ['/generations/../credits', 'GET', '/credits', 200],
    ['/generations/..%2Fcredits', 'DELETE', '/generations/..%2Fcredits', 404],
    ['/generations/%2E%2E%2Fcredits', 'DELETE', '/generations/%2E%2E%2Fcredits', 404],
    ['//generations', 'GET', '//generations', 404],
  ])('a raw %s (%s) is recorded as %s', async (sent, method, recorded, status) => {
    const response = await rawRequest(server.url, method, sent, auth);
    expect(response.status).toBe(status);
    expect(server.simulator.requests()).toMatchObject([{ method, path: recorded, status }]);
  });

  it('fetch itself resolves ".." before sending, so the simulator only ever sees /credits', async () => {
    await fetch(`${server.url}/generations/../credits`, { method: 'DELETE', headers: auth });
    expect(server.simulator.requests()).toMatchObject([{ method: 'DELETE', path: '/credits', status: 405 }]);
  });
});

describe('control API over HTTP', () => {
  it('seeds an account with N generations and reports it', async () => {
    const created = await control('POST', '/accounts', { apiKey: 'luma-test-1', generations: 4, creditBalance: 99 });
    expect(created.status).toBe(201);
    const { apiKey, generations } = (await created.json()) as { apiKey: string; generations: SimulatedGeneration[] };
    expect(apiKey).toBe('luma-test-1');
    expect(generations).toHaveLength(4);

    await fetch(`${server.url}/generations/${generations[1]!.id}`, { method: 'DELETE', headers: { Authorization: 'Bearer luma-test-1' } });
    const account = await (await control('GET', `/accounts/${encodeURIComponent('luma-test-1')}`)).json();
    expect(account).toEqual({ generations: [generations[0], generations[2], generations[3]], deletedIds: [generations[1]!.id] });
    expect(await (await fetch(`${server.url}/credits`, { headers: { Authorization: 'Bearer luma-test-1' } })).json()).toEqual({ credit_balance: 99 });
  });

  it('accepts explicit (partial) generations and forbidden accounts', async () => {
    const id = '11111111-2222-4333-8444-555555555555';
    const created = await control('POST', '/accounts', { apiKey: 'luma-test-2', generations: [{ id, state: 'failed' }], forbidden: true });
    expect((await created.json()).generations).toMatchObject([{ id, state: 'failed', failure_reason: expect.any(String) }]);
    expect((await fetch(`${server.url}/generations/${id}`, { headers: { Authorization: 'Bearer luma-test-2' } })).status).toBe(403);
  });

  it('injects one fault or an array of them, and clears them', async () => {
    expect((await control('POST', '/faults', { path: '/credits', status: 503 })).status).toBe(201);
    expect((await control('POST', '/faults', [{ path: '/ping', status: 500, times: 0 }, { path: '/credits', status: 502 }])).status).toBe(201);
    const statuses = async () => [
      (await fetch(`${server.url}/credits`, { headers: auth })).status,
      (await fetch(`${server.url}/ping`, { headers: auth })).status,
    ];
    expect(await statuses()).toEqual([503, 500]);
    expect(await statuses()).toEqual([502, 500]);
    expect((await control('DELETE', '/faults')).status).toBe(204);
    expect(await statuses()).toEqual([200, 200]);
  });

  it('refuses a bad fault array as a whole, with a 400 detail', async () => {
    const response = await control('POST', '/faults', [{ status: 500 }, { status: 500, delay: 5 }]);
    expect(response.status).toBe(400);
    expect((await response.json()).detail).toMatch(/delay/);
    expect((await fetch(`${server.url}/credits`, { headers: auth })).status).toBe(200);
  });

  it('serves the request record with filters, without recording itself, and clears it', async () => {
    await fetch(`${server.url}/credits`, { headers: auth });
    await fetch(`${server.url}/generations/${ids[0]}`, { method: 'DELETE', headers: auth });
    await fetch(`${server.url}/ping`);

    const all = (await (await control('GET', '/requests')).json()) as Array<{ method: string; path: string }>;
    expect(all.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /credits', `DELETE /generations/${ids[0]}`, 'GET /ping']);
    expect(await (await control('GET', '/requests?method=DELETE')).json()).toMatchObject([{ method: 'DELETE', apiKey: KEY, status: 204 }]);
    expect(await (await control('GET', '/requests?pathPrefix=/generations/')).json()).toHaveLength(1);
    expect(await (await control('GET', `/requests?apiKey=${KEY}`)).json()).toHaveLength(2);

    expect((await control('DELETE', '/requests')).status).toBe(204);
    expect(await (await control('GET', '/requests')).json()).toEqual([]);
  });

  it('sets a delay on every answer', async () => {
    expect((await control('POST', '/delay', { ms: 150 })).status).toBe(204);
    const started = performance.now();
    await fetch(`${server.url}/credits`, { headers: auth });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    await control('POST', '/delay', { ms: 0 });
  });

  it('resets to the starting state', async () => {
    await control('POST', '/accounts', { apiKey: 'luma-test-3', generations: 1 });
    await fetch(`${server.url}/generations/${ids[0]}`, { method: 'DELETE', headers: auth });
    await control('POST', '/faults', { status: 500, times: 0 });

    expect((await control('POST', '/reset')).status).toBe(204);
    expect((await control('GET', '/accounts/luma-test-3')).status).toBe(404);
    expect((await (await control('GET', `/accounts/${KEY}`)).json()).deletedIds).toEqual([]);
    expect((await fetch(`${server.url}/credits`, { headers: auth })).status).toBe(200);
    expect(await (await control('GET', '/requests')).json()).toHaveLength(1);
  });

  it.each([
    ['POST', '/accounts', '{not json', 400],
    ['POST', '/accounts', { generations: 2 }, 400],
    ['POST', '/accounts', { apiKey: 'k', generation: 2 }, 400],
    ['POST', '/delay', { ms: -5 }, 400],
    ['POST', '/faults', '', 400],
    ['GET', '/accounts/nobody', undefined, 404],
    ['GET', '/nope', undefined, 404],
    ['GET', '/faults', undefined, 405],
    ['GET', '/reset', undefined, 405],
  ])('%s %s with a bad request answers %i with a detail', async (method, path, body, status) => {
    const response = await control(method, path, body);
    expect(response.status).toBe(status);
    expect((await response.json()).detail).toEqual(expect.any(String));
  });

  it('lists its endpoints at /__simulator', async () => {
    const body = await (await control('GET', '')).json();
    expect(body.endpoints.join('\n')).toContain('/__simulator/faults');
  });
});
