import { describe, expect, it } from 'vitest';
import { delayBeforeRetry, isRetryableStatus, parseRetryAfter } from '../../../src/core/luma/retry-policy.ts';

const policy = { maxRetries: 2, baseDelayMs: 100, maxDelayMs: 1_000 };

describe('retry policy', () => {
  it('retries 408, 429 and 5xx only', () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409, 422].some(isRetryableStatus)).toBe(false);
  });

  it('backs off exponentially with full jitter, capped', () => {
    expect(delayBeforeRetry(policy, 1, undefined, () => 1)).toBe(100);
    expect(delayBeforeRetry(policy, 2, undefined, () => 1)).toBe(200);
    expect(delayBeforeRetry(policy, 2, undefined, () => 0.5)).toBe(100);
    expect(delayBeforeRetry({ ...policy, maxRetries: 10 }, 8, undefined, () => 1)).toBe(1_000);
  });

  it('stops after maxRetries', () => {
    expect(delayBeforeRetry(policy, 3, undefined, () => 1)).toBeUndefined();
  });

  it('waits exactly as long as Retry-After says, unless that is longer than we hold a call', () => {
    expect(delayBeforeRetry(policy, 1, 700, () => 0)).toBe(700);
    expect(delayBeforeRetry(policy, 1, 5_000, () => 0)).toBeUndefined();
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-25T10:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 10:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
