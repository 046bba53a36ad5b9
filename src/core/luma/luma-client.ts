import { LumaError, type LumaErrorDetails } from './luma-error.ts';
import { DEFAULT_RETRY_POLICY, delayBeforeRetry, isRetryableStatus, parseRetryAfter, type RetryPolicy } from './retry-policy.ts';

/**
 * A small client for the Luma Dream Machine API, built on `fetch` alone so it runs on Workers,
 * Deno and Node alike. We do not use the official SDK here: it sleeps through any Retry-After up
 * to a minute inside the call, while a tool call should give up early and say when to retry.
 */
export const DEFAULT_LUMA_API_BASE_URL = 'https://api.lumalabs.ai/dream-machine/v1';

export interface LumaClientOptions {
  /** The user's Luma API key. Sent only in the Authorization header. */
  apiKey: string;
  /** Defaults to {@link DEFAULT_LUMA_API_BASE_URL}; the simulator's URL in tests and demos. */
  baseUrl?: string;
  /** Per attempt, headers and body included. Defaults to 10 s. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Injected for tests and for runtimes that need a bound fetch. */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface Credits {
  credit_balance: number;
}

/** A generation as Luma describes it (only the fields this server uses are typed). */
export interface Generation {
  id: string;
  generation_type?: string;
  state?: 'queued' | 'dreaming' | 'completed' | 'failed' | string;
  failure_reason?: string | null;
  created_at?: string;
  model?: string;
  assets?: Record<string, string | null | undefined> | null;
  request?: { prompt?: string; [field: string]: unknown } | null;
}

export interface GenerationList {
  generations: Generation[];
  has_more?: boolean;
  count?: number;
  limit?: number;
  offset?: number;
}

export interface DeleteOutcome {
  /**
   * `luma` when Luma answered 204. `gone_after_retry` when an earlier attempt's answer was lost
   * (timeout, dropped connection, 5xx) and the retry found nothing left to delete: the earlier
   * attempt is then what deleted it, as far as anyone can tell.
   */
  confirmedBy: 'luma' | 'gone_after_retry';
  attempts: number;
}

export interface LumaClient {
  deleteGeneration(generationId: string): Promise<DeleteOutcome>;
  /** `generationId` must already be validated: it becomes part of the path. */
  getGeneration(generationId: string): Promise<Generation>;
  /** Paging goes in the query string (the original server put it in a GET body, so it never paged). */
  listGenerations(page: { limit: number; offset: number }): Promise<GenerationList>;
  getCredits(): Promise<Credits>;
}

export function createLumaClient(options: LumaClientOptions): LumaClient {
  const baseUrl = (options.baseUrl || DEFAULT_LUMA_API_BASE_URL).replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const policy: RetryPolicy = {
    maxRetries: options.retry?.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
    baseDelayMs: options.retry?.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
    maxDelayMs: options.retry?.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
  };
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;

  /**
   * Sends one request, retrying what is worth retrying. Resolves with the final answer, success or
   * not, and whether an earlier attempt ended without a trustworthy answer (`ambiguous`); throws a
   * {@link LumaError} only when the retries ran out. `path` is built by callers from validated parts.
   */
  async function send(method: string, path: string): Promise<FinalAnswer> {
    let ambiguous = false;
    for (let attempt = 1; ; attempt++) {
      const result = await attemptOnce(method, path);
      let retryAfterMs: number | undefined;
      let failure: LumaErrorDetails;
      if (result.type === 'answer') {
        if (!isRetryableStatus(result.status)) return { ...result, ambiguous, attempts: attempt };
        retryAfterMs = result.retryAfter;
        failure = classify(result.status, result.body, result.retryAfter, attempt);
        // A 5xx or 408 may come after the work was done; a 429 means it was not attempted.
        if (result.status !== 429) ambiguous = true;
      } else {
        ambiguous = true;
        failure = { kind: 'unavailable', reason: result.type, attempts: attempt };
      }
      const delay = delayBeforeRetry(policy, attempt, retryAfterMs, random);
      if (delay === undefined) throw new LumaError(ambiguous ? { ...failure, ambiguous } : failure);
      await sleep(delay);
    }
  }

  async function attemptOnce(
    method: string,
    path: string,
  ): Promise<{ type: 'answer'; status: number; body: string; retryAfter?: number } | { type: 'timeout' } | { type: 'connection' }> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      const response = await doFetch(`${baseUrl}${path}`, {
        method,
        headers: { Authorization: `Bearer ${options.apiKey}`, Accept: 'application/json' },
        signal: controller.signal,
        // The runtime re-sends a request whose body it can replay (none counts) once, invisibly,
        // when a reused connection drops before the answer; the re-sent DELETE of a generation
        // that the first one deleted then looks like a plain 404. An empty streamed body cannot be
        // replayed, so the drop reaches `send`, which treats the next 404 as "gone after retry".
        // (`duplex` is what Node's fetch requires for a streamed body; Workers and Deno ignore it.)
        ...(method === 'DELETE' ? ({ body: new ReadableStream({ start: (stream) => stream.close() }), duplex: 'half' } as RequestInit) : {}),
      });
      const body = await response.text();
      return {
        type: 'answer',
        status: response.status,
        body,
        retryAfter: parseRetryAfter(response.headers.get('Retry-After'), Date.now()),
      };
    } catch {
      // The thrown error may quote the URL or the runtime's internals; we keep only what happened.
      return timedOut ? { type: 'timeout' } : { type: 'connection' };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async deleteGeneration(generationId) {
      const answer = await send('DELETE', `/generations/${encodeURIComponent(generationId)}`);
      if (answer.status === 404 && answer.ambiguous) {
        return { confirmedBy: 'gone_after_retry', attempts: answer.attempts };
      }
      // Luma answers 204 with an empty body: there is nothing to parse, and nothing to fail on.
      ensureSuccess(answer);
      return { confirmedBy: 'luma', attempts: answer.attempts };
    },
    async getGeneration(generationId) {
      const answer = await send('GET', `/generations/${encodeURIComponent(generationId)}`);
      ensureSuccess(answer);
      return parseJson<Generation>(answer.body);
    },
    async listGenerations({ limit, offset }) {
      const query = new URLSearchParams({ limit: String(limit), offset: String(offset) });
      const answer = await send('GET', `/generations?${query}`);
      ensureSuccess(answer);
      return parseJson<GenerationList>(answer.body);
    },
    async getCredits() {
      const answer = await send('GET', '/credits');
      ensureSuccess(answer);
      return parseJson<Credits>(answer.body);
    },
  };
}

interface FinalAnswer {
  status: number;
  body: string;
  retryAfter?: number;
  ambiguous: boolean;
  attempts: number;
}

function ensureSuccess(answer: FinalAnswer): void {
  if (answer.status < 200 || answer.status >= 300) {
    throw new LumaError(classify(answer.status, answer.body, answer.retryAfter, answer.attempts));
  }
}

function classify(status: number, body: string, retryAfterMs: number | undefined, attempts: number): LumaErrorDetails {
  const detail = readDetail(body);
  if (status === 401 || status === 403) return { kind: 'unauthorized', status, detail, attempts };
  if (status === 404) return { kind: 'not_found', status, detail, attempts };
  if (status === 429) {
    const retryAfterSeconds = retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000);
    return { kind: 'rate_limited', status, detail, retryAfterSeconds, attempts };
  }
  if (status >= 500 || status === 408) return { kind: 'unavailable', status, detail, reason: status === 408 ? 'timeout' : 'server_error', attempts };
  return { kind: 'rejected', status, detail, attempts };
}

/** Luma's errors are `{"detail": "..."}`; anything else is ignored rather than shown raw. */
function readDetail(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && 'detail' in parsed) {
      const detail = (parsed as { detail: unknown }).detail;
      if (typeof detail === 'string') return detail.slice(0, 500);
      // FastAPI-style validation errors carry a list of {msg}.
      if (Array.isArray(detail)) return detail.map((item) => (item && typeof item === 'object' && 'msg' in item ? String(item.msg) : '')).filter(Boolean).join('; ').slice(0, 500) || undefined;
    }
  } catch {
    // Not JSON: a proxy's HTML error page, say. Not worth repeating to a person.
  }
  return undefined;
}

function parseJson<T>(body: string): T {
  try {
    return JSON.parse(body) as T;
  } catch {
    throw new LumaError({ kind: 'unavailable', reason: 'server_error', detail: 'Luma sent a response that is not JSON.', attempts: 1 });
  }
}
