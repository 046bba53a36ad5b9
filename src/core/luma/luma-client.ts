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
  /**
   * Base URLs known to refuse a body on DELETE (see {@link BODY_REFUSED}); learned once, then
   * every DELETE to them goes plain. Defaults to one set for the whole process; a caller may keep
   * its own (the Worker keeps one per user object, so tests of one account do not change another's).
   */
  plainDeleteBaseUrls?: Set<string>;
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
   * `luma` when Luma answered 2xx. `gone_after_retry` when Luma answered 404 after an attempt that
   * may have reached it without its answer arriving (timeout, dropped connection, 5xx, or a plain
   * DELETE the runtime may have replayed unseen): either that attempt deleted it, or the generation
   * was never there to delete (a typo, another account's ID). This client cannot tell which; the
   * caller decides with what it knows (see the evidence rule in account/user-account.ts).
   */
  confirmedBy: 'luma' | 'gone_after_retry';
  attempts: number;
}

/**
 * Answers to a DELETE with a body that mean "no body here, please", not "no" to the delete: a strict
 * server or proxy may refuse the empty streamed body the client sends. The request was not acted on.
 */
export const BODY_REFUSED: ReadonlySet<number> = new Set([400, 411, 413, 415]);

/** The process-wide memory of base URLs that refuse DELETE bodies. */
const PLAIN_DELETE_BASE_URLS = new Set<string>();

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
  const plainDeletes = options.plainDeleteBaseUrls ?? PLAIN_DELETE_BASE_URLS;

  /**
   * Sends one request, retrying what is worth retrying. Resolves with the final answer, success or
   * not, and whether an earlier attempt ended without a trustworthy answer (`ambiguous`); throws a
   * {@link LumaError} only when the retries ran out. `path` is built by callers from validated parts.
   */
  async function send(method: string, path: string): Promise<FinalAnswer> {
    let ambiguous = false;
    let sent = 0;
    let plain = false;
    for (let attempt = 1; ; attempt++) {
      // A DELETE goes with an empty streamed body unless this server is known to refuse one.
      const withBody = method === 'DELETE' && !plainDeletes.has(baseUrl);
      let result = await attemptOnce(method, path, withBody);
      sent++;
      if (withBody && result.type === 'answer' && BODY_REFUSED.has(result.status)) {
        // Refused for the body, most likely: once more without it, at once. If that is refused
        // too, the body was not the reason, and nothing is remembered.
        result = await attemptOnce(method, path, false);
        sent++;
        plain = true;
        if (!(result.type === 'answer' && BODY_REFUSED.has(result.status))) plainDeletes.add(baseUrl);
      }
      if (method === 'DELETE' && !withBody) plain = true;
      let retryAfterMs: number | undefined;
      let failure: LumaErrorDetails;
      if (result.type === 'answer') {
        if (!isRetryableStatus(result.status)) return { ...result, ambiguous, plain, attempts: sent };
        retryAfterMs = result.retryAfter;
        failure = classify(result.status, result.body, result.retryAfter, sent);
        // A 5xx or 408 may come after the work was done; a 429 means it was not attempted.
        if (result.status !== 429) ambiguous = true;
      } else {
        ambiguous = true;
        failure = { kind: 'unavailable', reason: result.type, attempts: sent };
      }
      const delay = delayBeforeRetry(policy, attempt, retryAfterMs, random);
      if (delay === undefined) throw new LumaError(ambiguous ? { ...failure, ambiguous } : failure);
      await sleep(delay);
    }
  }

  async function attemptOnce(
    method: string,
    path: string,
    withBody: boolean,
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
        // A server that refuses the body gets plain DELETEs (see `send`); there a replay cannot be
        // ruled out, so every 404 counts as "gone after retry", for the caller's evidence rule.
        ...(withBody ? ({ body: new ReadableStream({ start: (stream) => stream.close() }), duplex: 'half' } as RequestInit) : {}),
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
      if (answer.status === 404 && (answer.ambiguous || answer.plain)) {
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
  /** A DELETE went without a body at least once: the runtime may have replayed it unseen. */
  plain: boolean;
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
