/**
 * Fault rules: what a test can make the simulator do wrong, how a rule is checked when it is
 * injected (so a typo fails loudly instead of silently never matching), and how one is picked.
 */

export interface FaultRule {
  /** e.g. 'DELETE'; default any. */
  method?: string;
  /** Exact path, or a prefix if it ends with '*' (e.g. '/generations/*'); default any. */
  path?: string;
  /** Only requests with this key; default any. */
  apiKey?: string;
  /** Answer with this status (and a `{detail}` body unless it is 204). */
  status?: number;
  /** Detail text for the error body; a sensible default per status. */
  detail?: string;
  /** Extra response headers, e.g. `{ 'Retry-After': '2' }`. */
  headers?: Record<string, string>;
  /** Wait before answering (before the status, or before the normal answer if there is none). */
  delayMs?: number;
  /** Drop the connection instead of answering (after delayMs). */
  drop?: boolean;
  /** Perform the real operation first, then drop or override the answer ("Luma did it, the answer was lost"). */
  applyAfterHandling?: boolean;
  /** How many matching requests it applies to; default 1; 0 or Infinity = unlimited. */
  times?: number;
  /** Chance (0..1, default 1) that it applies to a matching request, drawn from the simulator's seeded PRNG. */
  probability?: number;
}

/** A rule in force, with how many more requests it may hit. */
export interface ActiveFault {
  readonly rule: Readonly<FaultRule>;
  remaining: number;
}

const RULE_KEYS: ReadonlySet<string> = new Set([
  'method', 'path', 'apiKey', 'status', 'detail', 'headers', 'delayMs', 'drop', 'applyAfterHandling', 'times', 'probability',
]);

/** Checks a rule from a test (possibly straight from JSON) and returns a normalised copy; throws TypeError. */
export function validateFaultRule(input: unknown): FaultRule {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new TypeError('a fault rule must be an object');
  const raw = input as Record<string, unknown>;
  const unknownKeys = Object.keys(raw).filter((key) => !RULE_KEYS.has(key));
  if (unknownKeys.length > 0) throw new TypeError(`unknown fault rule field(s): ${unknownKeys.join(', ')}`);

  const rule: FaultRule = {};
  if (raw.method !== undefined) rule.method = requireString(raw.method, 'method').toUpperCase();
  if (raw.path !== undefined) {
    rule.path = requireString(raw.path, 'path');
    if (!rule.path.startsWith('/')) throw new TypeError('path must start with "/"');
  }
  if (raw.apiKey !== undefined) rule.apiKey = requireString(raw.apiKey, 'apiKey');
  if (raw.status !== undefined) {
    // The Response constructor only accepts 200..599; 1xx cannot be a final answer anyway.
    if (!Number.isInteger(raw.status) || (raw.status as number) < 200 || (raw.status as number) > 599) {
      throw new TypeError('status must be an integer between 200 and 599');
    }
    rule.status = raw.status as number;
  }
  if (raw.detail !== undefined) rule.detail = requireString(raw.detail, 'detail');
  if (raw.headers !== undefined) {
    if (typeof raw.headers !== 'object' || raw.headers === null || Array.isArray(raw.headers)) throw new TypeError('headers must be an object');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(raw.headers)) headers[name] = requireString(value, `headers.${name}`);
    rule.headers = headers;
  }
  if (raw.delayMs !== undefined) {
    if (typeof raw.delayMs !== 'number' || !Number.isFinite(raw.delayMs) || raw.delayMs < 0) throw new TypeError('delayMs must be a non-negative number');
    rule.delayMs = raw.delayMs;
  }
  if (raw.drop !== undefined) rule.drop = requireBoolean(raw.drop, 'drop');
  if (raw.applyAfterHandling !== undefined) rule.applyAfterHandling = requireBoolean(raw.applyAfterHandling, 'applyAfterHandling');
  if (raw.times !== undefined) {
    const times = raw.times;
    if (typeof times !== 'number' || !(times === Infinity || (Number.isInteger(times) && times >= 0))) {
      throw new TypeError('times must be a non-negative integer, or 0/Infinity for unlimited');
    }
    rule.times = times;
  }
  if (raw.probability !== undefined) {
    if (typeof raw.probability !== 'number' || !(raw.probability >= 0 && raw.probability <= 1)) throw new TypeError('probability must be between 0 and 1');
    rule.probability = raw.probability;
  }

  if (rule.drop && rule.status !== undefined) throw new TypeError('a fault cannot both drop the connection and answer with a status');
  if (!rule.drop && rule.status === undefined && rule.delayMs === undefined) {
    throw new TypeError('a fault must do something: give status, delayMs or drop');
  }
  return rule;
}

export function activate(rule: FaultRule): ActiveFault {
  const times = rule.times ?? 1;
  return { rule, remaining: times === 0 ? Infinity : times };
}

export function faultMatches(rule: Readonly<FaultRule>, method: string, path: string, apiKey: string | null): boolean {
  if (rule.method !== undefined && rule.method !== method) return false;
  if (rule.apiKey !== undefined && rule.apiKey !== apiKey) return false;
  if (rule.path !== undefined) {
    const matches = rule.path.endsWith('*') ? path.startsWith(rule.path.slice(0, -1)) : path === rule.path;
    if (!matches) return false;
  }
  return true;
}

/** A short label for the request record, e.g. "status 503", "delay 200ms, drop after handling". */
export function describeFault(rule: Readonly<FaultRule>): string {
  const parts: string[] = [];
  if (rule.delayMs !== undefined) parts.push(`delay ${rule.delayMs}ms`);
  if (rule.status !== undefined) parts.push(`status ${rule.status}`);
  if (rule.drop) parts.push('drop');
  return rule.applyAfterHandling ? `${parts.join(', ')} after handling` : parts.join(', ');
}

const DEFAULT_DETAIL: Record<number, string> = {
  400: 'Bad Request',
  401: 'Invalid API key is provided',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function defaultDetail(status: number): string {
  return DEFAULT_DETAIL[status] ?? `HTTP ${status}`;
}

/** mulberry32: tiny, fast and good enough to make "flaky" faults reproducible from a seed. */
export function createPrng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new TypeError(`${field} must be a string`);
  return value;
}

function requireBoolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${field} must be a boolean`);
  return value;
}
