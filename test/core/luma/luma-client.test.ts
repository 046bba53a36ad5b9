import { inject } from 'vitest';
import { describe, expect, it } from 'vitest';
import { createLumaClient, type LumaClientOptions } from '../../../src/core/luma/luma-client.ts';
import { LumaError } from '../../../src/core/luma/luma-error.ts';
import { SimulatorControl } from '../../support/simulator-control.ts';
import { lumaFetch } from '../helpers/luma-fetch.ts';

/** The client against the Luma simulator over loopback; only `sleep` is replaced, to record waits. */
const simulator = new SimulatorControl(inject('lumaSimulatorUrl'));

async function clientFor(extra: Partial<LumaClientOptions> = {}) {
  const { apiKey, generations } = await simulator.createAccount(2);
  const waits: number[] = [];
  const client = createLumaClient({
    apiKey,
    baseUrl: simulator.baseUrl,
    timeoutMs: 300,
    retry: { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 2_000 },
    fetch: lumaFetch,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...extra,
  });
  return { client, apiKey, ids: generations.map((generation) => generation.id), waits };
}

async function failureOf(promise: Promise<unknown>): Promise<LumaError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(LumaError);
  return error as LumaError;
}

describe('createLumaClient', () => {
  it('deletes with one DELETE and takes the empty 204 as success', async () => {
    const { client, apiKey, ids } = await clientFor();
    expect(await client.deleteGeneration(ids[0]!)).toEqual({ confirmedBy: 'luma', attempts: 1 });
    expect(await simulator.requestsFor(apiKey)).toMatchObject([{ method: 'DELETE', path: `/generations/${ids[0]}`, status: 204 }]);
  });

  it('sends the key only as a Bearer token', async () => {
    const seen: Request[] = [];
    const { client, apiKey } = await clientFor({
      fetch: async (input, init) => {
        const request = new Request(input, init);
        seen.push(request);
        return (lumaFetch ?? fetch)(request);
      },
    });
    await client.getCredits();
    expect(seen[0]!.headers.get('Authorization')).toBe(`Bearer ${apiKey}`);
    expect(seen[0]!.url).not.toContain(apiKey);
  });

  it('reads Luma\'s credits', async () => {
    const { client } = await clientFor();
    expect(typeof (await client.getCredits()).credit_balance).toBe('number');
  });

  it('does not retry a 404, and keeps Luma\'s detail', async () => {
    const { client, apiKey } = await clientFor();
    const error = await failureOf(client.deleteGeneration('00000000-0000-4000-8000-000000000000'));
    expect(error.kind).toBe('not_found');
    expect(error.detail).toBeTruthy();
    expect(await simulator.requestsFor(apiKey)).toHaveLength(1);
  });

  it('retries 5xx with growing, jittered backoff, then gives up as unavailable', async () => {
    const { client, apiKey, ids, waits } = await clientFor({ random: () => 1 });
    await simulator.injectFault({ apiKey, status: 500, times: 5 });
    const error = await failureOf(client.deleteGeneration(ids[0]!));
    expect(error).toMatchObject({ kind: 'unavailable', status: 500, attempts: 3 });
    expect(waits).toEqual([10, 20]);
  });

  it('retries 408 and connection drops', async () => {
    const { client, apiKey, ids } = await clientFor();
    await simulator.injectFault({ apiKey, status: 408, times: 1 });
    await simulator.injectFault({ apiKey, drop: true, times: 1 });
    const outcome = await client.deleteGeneration(ids[0]!);
    expect(outcome.attempts).toBe(3);
    expect((await simulator.requestsFor(apiKey)).map((request) => request.status)).toEqual([408, 'dropped', 204]);
  });

  it('waits what Retry-After says on 429', async () => {
    const { client, apiKey, ids, waits } = await clientFor();
    await simulator.injectFault({ apiKey, status: 429, headers: { 'Retry-After': '1' }, times: 1 });
    await client.deleteGeneration(ids[0]!);
    expect(waits).toEqual([1_000]);
  });

  it('gives up at once on a Retry-After longer than it may wait, and passes it on', async () => {
    const { client, apiKey, ids, waits } = await clientFor();
    await simulator.injectFault({ apiKey, status: 429, headers: { 'Retry-After': '120' }, times: 1 });
    const error = await failureOf(client.deleteGeneration(ids[0]!));
    expect(error).toMatchObject({ kind: 'rate_limited', retryAfterSeconds: 120, attempts: 1 });
    expect(waits).toEqual([]);
  });

  it('times out a slow attempt and says so', async () => {
    const { client, apiKey, ids } = await clientFor({ retry: { maxRetries: 0 } });
    await simulator.injectFault({ apiKey, delayMs: 1_000, times: 1 });
    const error = await failureOf(client.deleteGeneration(ids[0]!));
    expect(error).toMatchObject({ kind: 'unavailable', reason: 'timeout', attempts: 1 });
  });

  it('reports a 404 after a lost answer as gone after retry (the account decides what that proves)', async () => {
    const { client, apiKey, ids } = await clientFor();
    await simulator.injectFault({ apiKey, method: 'DELETE', drop: true, applyAfterHandling: true, times: 1 });
    expect(await client.deleteGeneration(ids[0]!)).toEqual({ confirmedBy: 'gone_after_retry', attempts: 2 });
    expect((await simulator.account(apiKey)).deletedIds).toEqual([ids[0]]);
  });

  it('falls back once to a plain DELETE when the body is refused, and remembers that for the base URL', async () => {
    // A strict server: a DELETE that carries a body (the empty stream) is answered 411.
    const sent: { path: string; withBody: boolean }[] = [];
    const strict: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      const withBody = init?.body !== undefined && init.body !== null;
      sent.push({ path: new URL(request.url).pathname, withBody });
      if (request.method === 'DELETE' && withBody) return new Response('{"detail":"Length Required"}', { status: 411 });
      return new Response(null, { status: 204 });
    };
    const memory = new Set<string>();
    const { client } = await clientFor({ fetch: strict, plainDeleteBaseUrls: memory });
    const ids = [crypto.randomUUID(), crypto.randomUUID()];
    expect(await client.deleteGeneration(ids[0]!)).toEqual({ confirmedBy: 'luma', attempts: 2 });
    expect(memory).toEqual(new Set([simulator.baseUrl]));
    expect(await client.deleteGeneration(ids[1]!)).toEqual({ confirmedBy: 'luma', attempts: 1 });
    expect(sent).toEqual([
      { path: `/generations/${ids[0]}`, withBody: true },
      { path: `/generations/${ids[0]}`, withBody: false },
      { path: `/generations/${ids[1]}`, withBody: false },
    ]);
  });

  it('remembers nothing when the plain DELETE is refused too (the refusal was not about the body)', async () => {
    const memory = new Set<string>();
    const { client, apiKey, ids } = await clientFor({ plainDeleteBaseUrls: memory });
    await simulator.injectFault({ apiKey, method: 'DELETE', status: 400, detail: 'Generation is still processing', times: 2 });
    const error = await failureOf(client.deleteGeneration(ids[0]!));
    expect(error).toMatchObject({ kind: 'rejected', status: 400, detail: 'Generation is still processing', attempts: 2 });
    expect(memory.size).toBe(0);
    expect((await simulator.account(apiKey)).deletedIds).toEqual([]);
  });

  it('after falling back, a 404 counts as gone after retry: a plain DELETE may have been replayed unseen', async () => {
    const memory = new Set<string>();
    const { client } = await clientFor({ fetch: async () => new Response('{"detail":"Generation not found"}', { status: 404 }), plainDeleteBaseUrls: memory });
    memory.add(simulator.baseUrl);
    expect(await client.deleteGeneration(crypto.randomUUID())).toEqual({ confirmedBy: 'gone_after_retry', attempts: 1 });
  });

  it('never puts the key in an error message', async () => {
    const { client, apiKey, ids } = await clientFor();
    await simulator.injectFault({ apiKey, status: 401, times: 1 });
    const error = await failureOf(client.deleteGeneration(ids[0]!));
    expect(error.kind).toBe('unauthorized');
    expect(error.message).not.toContain(apiKey);
  });
});
