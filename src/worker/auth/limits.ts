import type { Env } from '../env.ts';
import { limiterFor } from './rate-limiter.ts';

/**
 * The front door's limits, per client and per client address. Counts live in the `RateLimiter`
 * Durable Objects (durable, so a restart forgets nothing).
 */
export const LIMITS = {
  /** Key checks Luma did not accept (refused, or no answer), per OAuth client and per address. */
  keyCheckFailures: { limit: 5, windowMs: 10 * 60_000 },
  /** Dynamic client registrations per address. */
  registrations: { limit: 20, windowMs: 10 * 60_000 },
  /** Requests to the consent page (`GET` and `POST /authorize`) per address. */
  authorize: { limit: 60, windowMs: 10 * 60_000 },
} as const;

/**
 * Who is asking, for per-address limits: Cloudflare's `CF-Connecting-IP`. An IPv6 address counts
 * by its /64, which one subscriber usually holds whole. Without the header (never on Cloudflare's
 * network) every such request shares one bucket.
 */
export function clientAddress(request: Request): string {
  const ip = request.headers.get('CF-Connecting-IP')?.trim();
  if (!ip) return 'unknown';
  if (!ip.includes(':')) return ip.slice(0, 64);
  const groups = expandIpv6(ip);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : ip.slice(0, 64);
}

function expandIpv6(ip: string): string[] | undefined {
  const [head = '', tail, extra] = ip.toLowerCase().split('::');
  if (extra !== undefined) return undefined;
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 0) return undefined;
  return [...left, ...Array<string>(Math.max(missing, 0)).fill('0'), ...right].map((group) => group.replace(/^0+(?=.)/, ''));
}

export type Admission = { ok: true } | { ok: false; retryAt: number };

/** Variables that raise or lower the per-address request limits (the key-check limit is fixed). */
const LIMIT_VARIABLES = { registrations: 'RATE_LIMIT_REGISTRATIONS', authorize: 'RATE_LIMIT_CONSENT_PAGE' } as const;

type LimitEnv = Pick<Env, 'RATE_LIMITER' | 'RATE_LIMIT_REGISTRATIONS' | 'RATE_LIMIT_CONSENT_PAGE'>;

/** The limit in force for `kind`: the variable when it is a positive integer, else the default. */
export function requestLimit(env: Partial<LimitEnv>, kind: 'registrations' | 'authorize'): number {
  const configured = Number(env[LIMIT_VARIABLES[kind]]);
  return Number.isSafeInteger(configured) && configured > 0 ? configured : LIMITS[kind].limit;
}

/** Counts one request of `kind` from `address` and says whether it may go on. */
export async function admitRequest(env: LimitEnv, kind: 'registrations' | 'authorize', address: string): Promise<Admission> {
  const { windowMs } = LIMITS[kind];
  const limit = requestLimit(env, kind);
  const decision = await limiterFor(env, kind, address).take(limit, windowMs);
  return decision.ok ? { ok: true } : { ok: false, retryAt: decision.retryAt };
}

/** A key check that has been admitted: report how it went, so that only failures count. */
export interface KeyCheckSlot {
  /** Luma accepted the key: this attempt does not count. */
  forgive(): Promise<void>;
}

/**
 * Reserves one failed-key-check slot for the client and one for the address *before* Luma is
 * asked, so that simultaneous guesses cannot all pass the check. Refused when either has had
 * `limit` failures in the window; then nothing is reserved and Luma must not be called. Without a
 * client (the account page) only the address counts: one shared counter would let anyone lock
 * everyone out.
 */
export async function admitKeyCheck(
  env: Pick<Env, 'RATE_LIMITER'>,
  clientId: string | undefined,
  address: string,
): Promise<({ ok: true } & KeyCheckSlot) | { ok: false; retryAt: number }> {
  const { limit, windowMs } = LIMITS.keyCheckFailures;
  const counters = [...(clientId === undefined ? [] : [limiterFor(env, 'key-check-client', clientId)]), limiterFor(env, 'key-check-address', address)];
  const taken: { counter: (typeof counters)[number]; ticket: string }[] = [];
  for (const counter of counters) {
    const decision = await counter.take(limit, windowMs);
    if (!decision.ok) {
      await Promise.all(taken.map(({ counter: held, ticket }) => held.giveBack(ticket)));
      // Say when every counter would allow it, so the page does not send the person back too early.
      const others = await Promise.all(counters.filter((other) => other !== counter).map((other) => other.blockedUntil(limit, windowMs)));
      return { ok: false, retryAt: Math.max(decision.retryAt, ...others.map((until) => until ?? 0)) };
    }
    taken.push({ counter, ticket: decision.ticket });
  }
  return {
    ok: true,
    forgive: async () => {
      await Promise.all(taken.map(({ counter, ticket }) => counter.giveBack(ticket)));
    },
  };
}

/** Seconds until `retryAt`, at least 1, for `Retry-After`. */
export function retryAfterSeconds(retryAt: number, now = Date.now()): number {
  return Math.max(1, Math.ceil((retryAt - now) / 1000));
}
