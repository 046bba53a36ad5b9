import { abortAllDurableObjects } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { clientAddress, LIMITS, requestLimit } from '../../../src/worker/auth/limits.ts';
import { openConsentPage, submitConsent, type ConsentPage, type FetchLike } from '../../support/consent-form.ts';
import { authorizationUrl, pkcePair, registerClient, type RegisteredClient } from '../helpers/oauth.ts';
import { ORIGIN, simulator, workerFetch } from '../helpers/worker.ts';

/** The Worker as reached from one client address (Cloudflare's `CF-Connecting-IP`). */
function fromAddress(address: string): FetchLike {
  return (input, init) => {
    const request = typeof input === 'string' ? new Request(new URL(input, ORIGIN), init) : new Request(input, init);
    request.headers.set('CF-Connecting-IP', address);
    return workerFetch(request);
  };
}

let addressCounter = 0;
/** A fresh documentation-range address per test, so tests do not share counters. */
function freshAddress(): string {
  addressCounter += 1;
  return `198.51.100.${addressCounter}`;
}

function guessedKey(): string {
  return `luma-guess-${crypto.randomUUID()}`;
}

interface Guess {
  status: number;
  location: string | null;
  retryAfter: string | null;
  html: string;
}

/** Opens a consent page for `client` (unless one is at hand) and approves with `key`. */
async function guess(client: RegisteredClient, key: string, fetchFn: FetchLike, page?: ConsentPage): Promise<Guess & { next?: ConsentPage }> {
  const { challenge } = await pkcePair();
  let current = page;
  if (!current) {
    current = await openConsentPage(authorizationUrl(client, challenge), fetchFn);
    expect(current.status).toBe(200);
  }
  const result = await submitConsent(`${ORIGIN}/authorize`, current, { decision: 'approve', lumaApiKey: key }, fetchFn);
  return {
    status: result.status,
    location: result.location,
    retryAfter: result.headers.get('Retry-After'),
    html: result.page?.html ?? '',
    next: result.status === 400 ? result.page : undefined,
  };
}

async function lumaCallsFor(keys: string[]): Promise<number> {
  let calls = 0;
  for (const key of keys) calls += (await simulator.requestsFor(key)).length;
  return calls;
}

describe('failed key checks are limited', { timeout: 30_000 }, () => {
  it('25 guessed keys through one client from one address: at most 5 reach Luma, the rest get 429 with a retry time, none is granted', async () => {
    const client = await registerClient('Guesser');
    const fetchFn = fromAddress(freshAddress());
    const keys = Array.from({ length: 25 }, guessedKey);
    const statuses: number[] = [];
    let page: ConsentPage | undefined;
    for (const key of keys) {
      const result = await guess(client, key, fetchFn, page);
      statuses.push(result.status);
      expect(result.location).toBeNull(); // nothing granted, ever
      if (result.status === 429) {
        const seconds = Number(result.retryAfter);
        expect(seconds).toBeGreaterThan(0);
        expect(seconds).toBeLessThanOrEqual(600);
        expect(result.html).toMatch(/Try again in \d+ minutes? \(after \d\d:\d\d UTC\)/);
        expect(result.html).not.toContain(key);
      }
      page = result.next;
    }
    expect(statuses.slice(0, 5)).toEqual([400, 400, 400, 400, 400]);
    expect(statuses.slice(5)).toEqual(Array(20).fill(429));
    expect(await lumaCallsFor(keys)).toBe(5);

    // Even a right key is not checked now: Luma is not asked at all until the window passes.
    const { apiKey } = await simulator.createAccount(1);
    const right = await guess(client, apiKey, fetchFn);
    expect(right.status).toBe(429);
    expect(right.location).toBeNull();
    expect(await simulator.requestsFor(apiKey)).toEqual([]);
  });

  it('counts per address across clients', async () => {
    const fetchFn = fromAddress(freshAddress());
    const keys = Array.from({ length: 8 }, guessedKey);
    const statuses: number[] = [];
    for (const key of keys) statuses.push((await guess(await registerClient(), key, fetchFn)).status);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429, 429, 429]);
    expect(await lumaCallsFor(keys)).toBe(5);
  });

  it('counts per client across addresses', async () => {
    const client = await registerClient('Spread out');
    const keys = Array.from({ length: 8 }, guessedKey);
    const statuses: number[] = [];
    for (const key of keys) statuses.push((await guess(client, key, fromAddress(freshAddress()))).status);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429, 429, 429]);
    expect(await lumaCallsFor(keys)).toBe(5);
  });

  it('simultaneous guesses cannot slip past the limit', async () => {
    const client = await registerClient('Burst');
    const fetchFn = fromAddress(freshAddress());
    const keys = Array.from({ length: 12 }, guessedKey);
    const results = await Promise.all(keys.map((key) => guess(client, key, fetchFn)));
    expect(results.filter((result) => result.status === 400)).toHaveLength(5);
    expect(results.filter((result) => result.status === 429)).toHaveLength(7);
    expect(await lumaCallsFor(keys)).toBe(5);
  });

  it('keeps counting across a restart of every Durable Object', async () => {
    const client = await registerClient('Patient');
    const fetchFn = fromAddress(freshAddress());
    const keys = Array.from({ length: 5 }, guessedKey);
    for (const key of keys) expect((await guess(client, key, fetchFn)).status).toBe(400);

    await abortAllDurableObjects(); // every object restarts; only durable storage remains

    const after = guessedKey();
    const result = await guess(client, after, fetchFn);
    expect(result.status).toBe(429);
    expect(await simulator.requestsFor(after)).toEqual([]);
  });

  it('a right key does not count, and only wrong ones do', async () => {
    const client = await registerClient('Typo-prone');
    const fetchFn = fromAddress(freshAddress());
    for (let i = 0; i < 4; i++) expect((await guess(client, guessedKey(), fetchFn)).status).toBe(400);
    const { apiKey } = await simulator.createAccount(1);
    const right = await guess(client, apiKey, fetchFn);
    expect(right.status).toBe(302);
    expect(new URL(right.location!).searchParams.get('code')).toBeTruthy();
    // Four failures so far: one more wrong key is still checked, the next is not.
    expect((await guess(client, guessedKey(), fetchFn)).status).toBe(400);
    expect((await guess(client, guessedKey(), fetchFn)).status).toBe(429);
  });
});

describe('registration and the consent page are limited per address', { timeout: 30_000 }, () => {
  it('a burst of registrations from one address is cut off with 429 and Retry-After', async () => {
    const fetchFn = fromAddress(freshAddress());
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < LIMITS.registrations.limit + 5; i++) {
      const response = await fetchFn('/register', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ client_name: `Burst ${i}`, redirect_uris: ['http://127.0.0.1:4000/cb'], token_endpoint_auth_method: 'none' }),
      });
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('Retry-After');
      await response.body?.cancel();
    }
    expect(statuses.slice(0, LIMITS.registrations.limit)).toEqual(Array(LIMITS.registrations.limit).fill(201));
    expect(statuses.slice(LIMITS.registrations.limit)).toEqual(Array(5).fill(429));
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // Another address is not affected.
    const other = await fromAddress(freshAddress())('/register', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_name: 'Elsewhere', redirect_uris: ['http://127.0.0.1:4000/cb'], token_endpoint_auth_method: 'none' }),
    });
    expect(other.status).toBe(201);
  });

  it('a burst of consent-page visits from one address gets a 429 page that says when to try again', async () => {
    const client = await registerClient();
    const { challenge } = await pkcePair();
    const fetchFn = fromAddress(freshAddress());
    const url = authorizationUrl(client, challenge).toString();
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < LIMITS.authorize.limit + 3; i++) {
      last = await fetchFn(url);
      statuses.push(last.status);
      if (i < LIMITS.authorize.limit + 2) await last.body?.cancel();
    }
    expect(statuses.slice(0, LIMITS.authorize.limit).every((status) => status === 200)).toBe(true);
    expect(statuses.slice(LIMITS.authorize.limit)).toEqual([429, 429, 429]);
    expect(Number(last!.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect(await last!.text()).toContain('Try again in');
  });
});

describe('limit settings', () => {
  it('per-address request limits can be set by variable; anything but a positive integer keeps the default', () => {
    expect(requestLimit({}, 'registrations')).toBe(20);
    expect(requestLimit({ RATE_LIMIT_REGISTRATIONS: '5' }, 'registrations')).toBe(5);
    expect(requestLimit({ RATE_LIMIT_REGISTRATIONS: '0' }, 'registrations')).toBe(20);
    expect(requestLimit({ RATE_LIMIT_REGISTRATIONS: 'lots' }, 'registrations')).toBe(20);
    expect(requestLimit({ RATE_LIMIT_CONSENT_PAGE: '100' }, 'authorize')).toBe(100);
  });

  it('counts an IPv6 address by its /64, and IPv4 addresses one by one', () => {
    const address = (ip?: string) => clientAddress(new Request('http://localhost/', { headers: ip ? { 'CF-Connecting-IP': ip } : {} }));
    expect(address('2001:db8:1:2:aaaa::1')).toBe(address('2001:db8:1:2:bbbb:cccc:dddd:eeee'));
    expect(address('2001:db8:1:2::1')).not.toBe(address('2001:db8:1:3::1'));
    expect(address('203.0.113.1')).not.toBe(address('203.0.113.2'));
    expect(address()).toBe('unknown');
  });
});
