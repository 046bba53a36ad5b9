import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env.ts';

/**
 * Counters for the front door's limits, one Durable Object per counted thing (a client's failed key
 * checks, an address's registrations, …), named by {@link limiterFor}. The count lives in durable
 * storage, so it survives the object being evicted or the Worker restarting; nothing is kept in
 * isolate memory.
 *
 * Each counter is a sliding window: a log of the times of the last `limit` hits. A hit is taken
 * *before* the work it counts (so concurrent attempts cannot all slip under the limit) and can be
 * given back afterwards when it turns out not to count (a key check that succeeded).
 */
interface Hit {
  id: string;
  at: number;
}

const HITS = 'hits';

export type LimitDecision = { ok: true; ticket: string } | { ok: false; retryAt: number };

export class RateLimiter extends DurableObject<Env> {
  /** Takes one hit if fewer than `limit` were taken in the last `windowMs`; else says when one frees up. */
  async take(limit: number, windowMs: number, now = Date.now()): Promise<LimitDecision> {
    const hits = await this.recent(windowMs, now);
    if (hits.length >= limit) {
      // The oldest hit still counted leaves the window first.
      const oldest = hits[hits.length - limit]!;
      return { ok: false, retryAt: oldest.at + windowMs };
    }
    const ticket = crypto.randomUUID();
    hits.push({ id: ticket, at: now });
    // Never more than `limit` entries: older ones cannot matter any more.
    await this.ctx.storage.put(HITS, hits.slice(-limit));
    // Nothing to keep once the window has passed: the alarm clears the object.
    await this.ctx.storage.setAlarm(now + windowMs);
    return { ok: true, ticket };
  }

  /** When the counter would refuse, without taking a hit; `undefined` while it would allow one. */
  async blockedUntil(limit: number, windowMs: number, now = Date.now()): Promise<number | undefined> {
    const hits = await this.recent(windowMs, now);
    return hits.length >= limit ? hits[hits.length - limit]!.at + windowMs : undefined;
  }

  /** Gives back a hit that turned out not to count. Unknown tickets are ignored. */
  async giveBack(ticket: string): Promise<void> {
    const hits = (await this.ctx.storage.get<Hit[]>(HITS)) ?? [];
    const kept = hits.filter((hit) => hit.id !== ticket);
    if (kept.length !== hits.length) await this.ctx.storage.put(HITS, kept);
  }

  /** Set for the end of the newest hit's window: by then nothing here counts any more. */
  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }

  private async recent(windowMs: number, now: number): Promise<Hit[]> {
    const hits = (await this.ctx.storage.get<Hit[]>(HITS)) ?? [];
    return hits.filter((hit) => hit.at > now - windowMs && hit.at <= now + windowMs);
  }
}

/** The counter for one thing: `kind` names the limit, `subject` what is counted (a client ID, an address). */
export function limiterFor(env: Pick<Env, 'RATE_LIMITER'>, kind: string, subject: string): DurableObjectStub<RateLimiter> {
  return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`${kind}\n${subject}`));
}
