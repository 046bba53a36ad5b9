/**
 * When and how long to wait before trying a Luma request again. Kept apart from the client so the
 * rules are easy to read and to test without a network.
 */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First backoff step; each later one doubles, with full jitter. */
  baseDelayMs: number;
  /** Longest we wait between attempts, Retry-After included. A longer Retry-After ends the retries. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 2, baseDelayMs: 250, maxDelayMs: 4_000 };

/** Statuses worth another try: the request may succeed later unchanged. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * How long to wait before retry number `retry` (1-based), or `undefined` to stop retrying.
 * A Retry-After from Luma wins over our own backoff; if it asks for longer than we are willing
 * to hold a tool call open, we stop and tell the caller when to come back instead.
 */
export function delayBeforeRetry(
  policy: RetryPolicy,
  retry: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number | undefined {
  if (retry > policy.maxRetries) return undefined;
  if (retryAfterMs !== undefined) return retryAfterMs <= policy.maxDelayMs ? retryAfterMs : undefined;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  // Full jitter: spreads out the retries of many sessions that failed at the same moment.
  return Math.round(random() * ceiling);
}

/** Parses Retry-After as delta-seconds or an HTTP date; `undefined` when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
