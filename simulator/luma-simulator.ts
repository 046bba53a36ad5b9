/**
 * An in-memory stand-in for the Luma Dream Machine API (`/dream-machine/v1`), for tests and
 * offline demos. It speaks the documented shapes for ping, credits, list/get/delete generations,
 * records every request it receives, and can be told to misbehave (fault rules).
 *
 * Web-standard only (Request, Response, URL, crypto), so the same object can be served from Node
 * (node-server.ts) or from inside the Workers runtime.
 */
import { handleControlRequest, CONTROL_PREFIX } from './control-api.ts';
import { activate, createPrng, defaultDetail, describeFault, faultMatches, validateFaultRule } from './faults.ts';
import type { ActiveFault, FaultRule } from './faults.ts';
import { makeGeneration, makeGenerations } from './generation-factory.ts';
import { errorResponse, json } from './responses.ts';

export type { FaultRule } from './faults.ts';
export { makeGeneration, makeGenerations } from './generation-factory.ts';

export type GenerationType = 'video' | 'image' | 'upscale_video' | 'add_audio' | 'reframe_image' | 'reframe_video' | 'modify_video';
export type GenerationState = 'queued' | 'dreaming' | 'completed' | 'failed';

/** Luma's Generation object, as returned by GET /generations/{id}. */
export interface SimulatedGeneration {
  id: string;
  generation_type: GenerationType;
  state: GenerationState;
  failure_reason: string | null;
  created_at: string;
  model: string;
  request: { prompt?: string; [key: string]: unknown };
  assets: { video?: string; image?: string; progress_video?: string } | null;
}

/** An account as a test describes it; `generations` may be a count of realistic ones to make up. */
export interface SimulatedAccount {
  generations?: Partial<SimulatedGeneration>[] | number;
  /** Luma reports this in USD cents. */
  creditBalance?: number;
  /** Every authenticated request with this key gets 403. */
  forbidden?: boolean;
  /**
   * A strict server: a DELETE that carries a body (any `Transfer-Encoding`, or a non-zero
   * `Content-Length`) is refused with this status (`true`: 411) before anything is deleted.
   */
  refuseDeleteBodies?: boolean | 400 | 411 | 413 | 415;
}

/**
 * One request as the simulator received it. `path` is the URL's pathname after WHATWG URL parsing:
 * still percent-encoded, but with `.`/`..` segments (also `%2e%2e`, and `\` as `/`) already
 * resolved. `status` is 'pending' while a delay runs, and 'aborted' if the client went away first.
 */
export interface RecordedRequest {
  seq: number;
  method: string;
  path: string;
  /** The query string without its leading '?'; '' when there is none. */
  query: string;
  /** The Bearer token sent, or null if the Authorization header was missing or not a Bearer token. */
  apiKey: string | null;
  status: number | 'dropped' | 'aborted' | 'pending';
  /** Which injected fault shaped the answer, e.g. "status 503" or "drop after handling". */
  fault?: string;
  /** When it arrived (ISO 8601). */
  at: string;
}

export interface RequestFilter {
  method?: string;
  pathPrefix?: string;
  apiKey?: string;
}

export interface LumaSimulatorOptions {
  accounts?: Record<string, SimulatedAccount>;
  /** A fixed delay before every API answer. */
  delayMs?: number;
  /** Seed for fault `probability` draws; the same seed and request order give the same faults. */
  seed?: number;
}

/** Thrown by `handle()` for a drop fault; adapters turn it into a destroyed socket / network error. */
export class DroppedConnection extends Error {
  override name = 'DroppedConnection';
  constructor(message = 'The simulator dropped the connection (injected fault)') {
    super(message);
  }
}

interface AccountState {
  generations: SimulatedGeneration[];
  creditBalance: number;
  forbidden: boolean;
  refuseDeleteBodies: false | 400 | 411 | 413 | 415;
  deletedIds: string[];
}

type Route =
  | { name: 'ping' | 'credits' | 'list'; methods: readonly string[] }
  | { name: 'generation'; methods: readonly string[]; id: string };

const INVALID_KEY = 'Invalid API key is provided';
const FORBIDDEN = 'This API key is not allowed to use the Dream Machine API';
const DEFAULT_CREDIT_BALANCE = 10_000;
const DEFAULT_SEED = 0x5eed;
const LIST_DEFAULT_LIMIT = 10;
const LIST_MAX_LIMIT = 100;

export class LumaSimulator {
  readonly #initialAccounts: ReadonlyMap<string, AccountState>;
  readonly #initialDelayMs: number;
  readonly #seed: number;
  #accounts = new Map<string, AccountState>();
  #faults: ActiveFault[] = [];
  #records: RecordedRequest[] = [];
  #seq = 0;
  #delayMs: number;
  #random: () => number;

  constructor(options: LumaSimulatorOptions = {}) {
    const initial = new Map<string, AccountState>();
    // Counts are turned into concrete generations once, so reset() brings back the same IDs.
    for (const [apiKey, account] of Object.entries(options.accounts ?? {})) initial.set(apiKey, buildAccount(apiKey, account));
    this.#initialAccounts = initial;
    this.#initialDelayMs = checkDelay(options.delayMs ?? 0);
    this.#seed = options.seed ?? DEFAULT_SEED;
    this.#delayMs = this.#initialDelayMs;
    this.#random = createPrng(this.#seed);
    this.reset();
  }

  /** The whole API, plus the control API under /__simulator/. Throws DroppedConnection for drop faults. */
  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === CONTROL_PREFIX || url.pathname.startsWith(`${CONTROL_PREFIX}/`)) {
      return handleControlRequest(this, request, url);
    }

    const method = request.method.toUpperCase();
    const apiKey = bearerToken(request.headers.get('Authorization'));
    // Recorded on arrival, so a test sees a request even while its (delayed) answer is pending.
    const record: RecordedRequest = {
      seq: ++this.#seq,
      method,
      path: url.pathname,
      query: url.search.slice(1),
      apiKey,
      status: 'pending',
      at: new Date().toISOString(),
    };
    this.#records.push(record);
    const fault = this.#takeFault(method, url.pathname, apiKey);
    if (fault) record.fault = describeFault(fault);

    const signal = request.signal;
    try {
      // Waits end early if the client hangs up, and a client that gave up before the work was done
      // never gets it done: as if the request timed out before reaching Luma's backend.
      await sleep(this.#delayMs, signal);
      if (fault && !fault.applyAfterHandling) {
        await sleep(fault.delayMs ?? 0, signal);
        if (fault.drop) return this.#drop(record);
        if (fault.status !== undefined) return this.#answer(record, faultResponse(fault));
      }
      if (signal.aborted) throw signal.reason; // It may have hung up just as the last wait ended.
      const response = this.#route(method, url, apiKey, hasBody(request));
      if (fault?.applyAfterHandling) {
        await sleep(fault.delayMs ?? 0, signal);
        if (fault.drop) return this.#drop(record);
        if (fault.status !== undefined) return this.#answer(record, faultResponse(fault));
      }
      return this.#answer(record, response);
    } catch (error) {
      if (!(error instanceof DroppedConnection) && signal.aborted) record.status = 'aborted';
      throw error;
    }
  }

  /** Adds (or replaces, with a clean slate) the account for `apiKey`. Throws TypeError on bad input. */
  addAccount(apiKey: string, account: SimulatedAccount = {}): void {
    this.#accounts.set(apiKey, buildAccount(apiKey, account));
  }

  /** The key's current (not deleted) generations, newest first. */
  generations(apiKey: string): SimulatedGeneration[] {
    return structuredClone(this.#account(apiKey).generations);
  }

  /** IDs this simulator actually deleted for the key, in order. */
  deletedIds(apiKey: string): string[] {
    return [...this.#account(apiKey).deletedIds];
  }

  hasAccount(apiKey: string): boolean {
    return this.#accounts.has(apiKey);
  }

  /** Adds a rule after the existing ones; the first rule matching a request is the one applied. Throws TypeError on bad input. */
  injectFault(rule: FaultRule): void {
    this.#faults.push(activate(validateFaultRule(rule)));
  }

  clearFaults(): void {
    this.#faults = [];
  }

  setDelay(ms: number): void {
    this.#delayMs = checkDelay(ms);
  }

  requests(filter: RequestFilter = {}): RecordedRequest[] {
    const method = filter.method?.toUpperCase();
    return this.#records
      .filter((record) => method === undefined || record.method === method)
      .filter((record) => filter.pathPrefix === undefined || record.path.startsWith(filter.pathPrefix))
      .filter((record) => filter.apiKey === undefined || record.apiKey === filter.apiKey)
      .map((record) => ({ ...record }));
  }

  /** Forgets recorded requests; sequence numbers keep counting so they stay unique. */
  clearRequests(): void {
    this.#records = [];
  }

  /** Back to the constructor's accounts and delay, no faults, no record, PRNG re-seeded. */
  reset(): void {
    this.#accounts = new Map([...this.#initialAccounts].map(([apiKey, account]) => [apiKey, structuredClone(account)]));
    this.#faults = [];
    this.#records = [];
    this.#seq = 0;
    this.#delayMs = this.#initialDelayMs;
    this.#random = createPrng(this.#seed);
  }

  #account(apiKey: string): AccountState {
    const account = this.#accounts.get(apiKey);
    if (!account) throw new Error(`No simulator account for key ${JSON.stringify(apiKey)}`);
    return account;
  }

  /** Picks the first rule (in injection order) that matches and wins its probability draw, and uses up one of its times. */
  #takeFault(method: string, path: string, apiKey: string | null): Readonly<FaultRule> | undefined {
    for (const active of this.#faults) {
      if (!faultMatches(active.rule, method, path, apiKey)) continue;
      const probability = active.rule.probability ?? 1;
      if (probability < 1 && !(this.#random() < probability)) continue;
      active.remaining -= 1;
      if (active.remaining <= 0) this.#faults = this.#faults.filter((candidate) => candidate !== active);
      return active.rule;
    }
    return undefined;
  }

  #answer(record: RecordedRequest, response: Response): Response {
    record.status = response.status;
    return response;
  }

  #drop(record: RecordedRequest): never {
    record.status = 'dropped';
    throw new DroppedConnection();
  }

  #route(method: string, url: URL, apiKey: string | null, withBody: boolean): Response {
    // Like Luma (a Starlette app), routing comes before authentication: unknown paths are 404 for anyone.
    const route = matchRoute(url.pathname);
    if (!route) return errorResponse(404, 'Not Found');
    if (!route.methods.includes(method)) return errorResponse(405, 'Method Not Allowed', { Allow: route.methods.join(', ') });

    const account = apiKey === null ? undefined : this.#accounts.get(apiKey);
    if (!account) return errorResponse(401, INVALID_KEY);
    if (account.forbidden) return errorResponse(403, FORBIDDEN);

    switch (route.name) {
      case 'ping':
        return json(200, { message: 'pong' });
      case 'credits':
        return json(200, { credit_balance: account.creditBalance });
      case 'list':
        return listGenerations(account, url.searchParams);
      case 'generation':
        if (method === 'DELETE' && withBody && account.refuseDeleteBodies) {
          return errorResponse(account.refuseDeleteBodies, 'A DELETE request must not carry a body');
        }
        return method === 'DELETE' ? deleteGeneration(account, route.id) : getGeneration(account, route.id);
    }
  }
}

function matchRoute(pathname: string): Route | undefined {
  const segments = pathname.split('/').slice(1);
  if (segments.length === 1 && segments[0] === 'ping') return { name: 'ping', methods: ['GET'] };
  if (segments.length === 1 && segments[0] === 'credits') return { name: 'credits', methods: ['GET'] };
  if (segments.length === 1 && segments[0] === 'generations') return { name: 'list', methods: ['GET'] };
  if (segments.length === 2 && segments[0] === 'generations' && segments[1]) {
    return { name: 'generation', methods: ['GET', 'DELETE'], id: decodeSegment(segments[1]) };
  }
  return undefined;
}

function listGenerations(account: AccountState, params: URLSearchParams): Response {
  const limit = integerParam(params, 'limit', LIST_DEFAULT_LIMIT);
  if (limit === undefined || limit < 1 || limit > LIST_MAX_LIMIT) {
    return errorResponse(400, `limit must be an integer between 1 and ${LIST_MAX_LIMIT}`);
  }
  const offset = integerParam(params, 'offset', 0);
  if (offset === undefined || offset < 0) return errorResponse(400, 'offset must be a non-negative integer');
  const page = account.generations.slice(offset, offset + limit);
  return json(200, {
    generations: page,
    has_more: offset + page.length < account.generations.length,
    count: page.length,
    limit,
    offset,
  });
}

function getGeneration(account: AccountState, id: string): Response {
  const generation = account.generations.find((candidate) => candidate.id === id);
  return generation ? json(200, generation) : errorResponse(404, 'Generation not found');
}

function deleteGeneration(account: AccountState, id: string): Response {
  const index = account.generations.findIndex((candidate) => candidate.id === id);
  if (index === -1) return errorResponse(404, 'Generation not found');
  account.generations.splice(index, 1);
  account.deletedIds.push(id);
  return new Response(null, { status: 204 });
}

function buildAccount(apiKey: string, account: SimulatedAccount): AccountState {
  if (typeof apiKey !== 'string' || apiKey === '') throw new TypeError('apiKey must be a non-empty string');
  if (/\s/.test(apiKey)) throw new TypeError('apiKey must not contain whitespace (it travels in a Bearer header)');
  const { generations = [], creditBalance = DEFAULT_CREDIT_BALANCE, forbidden = false, refuseDeleteBodies = false } = account;
  if (typeof creditBalance !== 'number' || !Number.isFinite(creditBalance)) throw new TypeError('creditBalance must be a number');
  if (typeof forbidden !== 'boolean') throw new TypeError('forbidden must be a boolean');
  if (refuseDeleteBodies !== true && refuseDeleteBodies !== false && ![400, 411, 413, 415].includes(refuseDeleteBodies)) {
    throw new TypeError('refuseDeleteBodies must be a boolean or one of 400, 411, 413, 415');
  }

  let built: SimulatedGeneration[];
  if (typeof generations === 'number') {
    built = makeGenerations(generations);
  } else if (Array.isArray(generations)) {
    built = generations.map((partial) => {
      if (typeof partial !== 'object' || partial === null) throw new TypeError('each generation must be an object');
      if (partial.id !== undefined && typeof partial.id !== 'string') throw new TypeError('a generation id must be a string');
      return makeGeneration(structuredClone(partial));
    });
  } else {
    throw new TypeError('generations must be an array of generations or a count');
  }
  const ids = new Set(built.map((generation) => generation.id));
  if (ids.size !== built.length) throw new TypeError('generation IDs must be unique within an account');

  return { generations: sortNewestFirst(built), creditBalance, forbidden, refuseDeleteBodies: refuseDeleteBodies === true ? 411 : refuseDeleteBodies, deletedIds: [] };
}

function sortNewestFirst(generations: SimulatedGeneration[]): SimulatedGeneration[] {
  const time = (generation: SimulatedGeneration) => Date.parse(generation.created_at) || 0;
  return generations.map((generation, index) => ({ generation, index }))
    .sort((a, b) => time(b.generation) - time(a.generation) || a.index - b.index)
    .map(({ generation }) => generation);
}

function bearerToken(header: string | null): string | null {
  const match = header?.match(/^Bearer +(\S+) *$/i);
  return match?.[1] ?? null;
}

/** Only plain digits count; Luma rejects anything else rather than guessing. */
function integerParam(params: URLSearchParams, name: string, fallback: number): number | undefined {
  const value = params.get(name);
  if (value === null) return fallback;
  return /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}

/** Whether the request carried a body on the wire: chunked framing (even an empty one), or a length above 0. */
function hasBody(request: Request): boolean {
  const length = request.headers.get('Content-Length');
  return request.headers.has('Transfer-Encoding') || (length !== null && length.trim() !== '0');
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function faultResponse(rule: Readonly<FaultRule>): Response {
  const status = rule.status ?? 500;
  const headers = rule.headers ?? {};
  // These statuses must not carry a body (the Response constructor refuses one).
  if (status === 204 || status === 205 || status === 304) return new Response(null, { status, headers });
  return errorResponse(status, rule.detail ?? defaultDetail(status), headers);
}

function checkDelay(ms: number): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new TypeError('delay must be a non-negative number of milliseconds');
  return ms;
}

/** A timer that ends early (rejecting with the abort reason) if the client goes away. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
