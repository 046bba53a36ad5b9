/**
 * Request bodies bounded before anything parses them, on any runtime with web-standard
 * `Request` and streams (Workers, Deno). A declared `Content-Length` over the limit is refused
 * without reading a byte; a body of unknown length is read only up to the limit, then the
 * stream is cancelled.
 */

export const KiB = 1024;

/** Largest body accepted per path, or `undefined` for paths without a body limit of their own. */
export interface BodyLimitRule {
  /** Exact path, or a prefix when it ends with `/`. */
  path: string;
  maxBytes: number;
}

/** The limits both runtimes apply: MCP messages get 64 KiB, OAuth forms much less. */
export const DEFAULT_BODY_LIMITS: readonly BodyLimitRule[] = [
  { path: '/mcp', maxBytes: 64 * KiB },
  { path: '/mcp/', maxBytes: 64 * KiB },
  { path: '/sse', maxBytes: 64 * KiB },
  { path: '/sse/', maxBytes: 64 * KiB },
  { path: '/authorize', maxBytes: 8 * KiB },
  { path: '/register', maxBytes: 16 * KiB },
  { path: '/token', maxBytes: 8 * KiB },
  { path: '/account', maxBytes: 8 * KiB },
  { path: '/account/', maxBytes: 8 * KiB },
];

/** Bodies on any other path: nothing here expects a large one. */
export const FALLBACK_BODY_LIMIT = 64 * KiB;

export function bodyLimitFor(pathname: string, rules: readonly BodyLimitRule[] = DEFAULT_BODY_LIMITS): number {
  let best: BodyLimitRule | undefined;
  for (const rule of rules) {
    const matches = rule.path.endsWith('/') ? pathname.startsWith(rule.path) : pathname === rule.path;
    if (matches && (!best || rule.path.length > best.path.length)) best = rule;
  }
  return best?.maxBytes ?? FALLBACK_BODY_LIMIT;
}

export type BoundedRequest = { ok: true; request: Request } | { ok: false; response: Response };

/**
 * `request` with its body read into memory when it is within `maxBytes`, or a `413` response.
 * Requests without a body are passed through untouched.
 */
export async function boundRequestBody(request: Request, maxBytes: number): Promise<BoundedRequest> {
  if (request.body === null) return { ok: true, request };
  const declared = request.headers.get('Content-Length');
  if (declared !== null) {
    const length = Number(declared);
    if (!Number.isFinite(length) || length < 0) return { ok: false, response: payloadTooLarge(maxBytes, 400) };
    if (length > maxBytes) {
      // Not read at all: the runtime discards the rest.
      await request.body.cancel().catch(() => undefined);
      return { ok: false, response: payloadTooLarge(maxBytes) };
    }
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return { ok: false, response: payloadTooLarge(maxBytes) };
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, request: new Request(request, { body }) };
}

function payloadTooLarge(maxBytes: number, status = 413): Response {
  const message = status === 413 ? `Request body too large: at most ${maxBytes} bytes are accepted here.` : 'Invalid Content-Length.';
  return Response.json(
    { error: status === 413 ? 'payload_too_large' : 'invalid_request', error_description: message },
    { status, headers: { 'Cache-Control': 'no-store' } },
  );
}
