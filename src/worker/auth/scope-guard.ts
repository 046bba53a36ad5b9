import { insufficientScope, type OAuthResourceAuth } from '@cloudflare/workers-oauth-provider';
import { ALL_TOOLS } from '../../core/tools/all-tools.ts';
import type { Env } from '../env.ts';

/** Seeing generations and the deletes log. Every token has it. */
export const SCOPE_READ = 'generations:read';
/** Deleting generations, clearing the deletes log and changing the delete confirmation. */
export const SCOPE_DELETE = 'generations:delete';
export const ALL_SCOPES = [SCOPE_READ, SCOPE_DELETE] as const;

/**
 * Tools that change something (delete generations, clear the log, weaken the guard on deletes):
 * every tool not annotated read-only, so a new tool that writes needs the delete scope unless its
 * own definition says it only reads.
 */
export const DELETE_SCOPE_TOOLS: ReadonlySet<string> = new Set(ALL_TOOLS.filter((tool) => !tool.annotations.readOnlyHint).map((tool) => tool.name));

/**
 * Whether a token's scopes include deleting. A token with none of this server's scopes predates
 * them: its person approved the old consent page, which granted seeing and deleting, so it keeps
 * that. Every grant made since carries its scopes explicitly, read-only ones included.
 */
export function mayDelete(scope: readonly string[]): boolean {
  if (scope.includes(SCOPE_DELETE)) return true;
  return !scope.some((value) => (ALL_SCOPES as readonly string[]).includes(value));
}

/**
 * The tools a JSON-RPC body (one message or a batch) calls that need the delete scope. Reads only
 * `method` and `params.name`, which every protocol version carries the same way (a 2026-07-28
 * request adds `_meta` keys to `params`, which are ignored here).
 */
export function deleteToolsCalled(body: unknown): string[] {
  const messages = Array.isArray(body) ? body : [body];
  const called: string[] = [];
  for (const message of messages) {
    if (typeof message !== 'object' || message === null) continue;
    const { method, params } = message as { method?: unknown; params?: unknown };
    if (method !== 'tools/call' || typeof params !== 'object' || params === null) continue;
    const name = (params as { name?: unknown }).name;
    if (typeof name === 'string' && DELETE_SCOPE_TOOLS.has(name)) called.push(name);
  }
  return called;
}

/**
 * The step-up answer for a request whose token may not do what its body asks (RFC 6750
 * `insufficient_scope`, MCP scope challenge): `403` naming every scope the operation needs, so
 * the client can ask the person again. `undefined` when the request may go on.
 */
export async function scopeRefusal(request: Request, auth: OAuthResourceAuth): Promise<Response | undefined> {
  if (request.method !== 'POST' || mayDelete(auth.scope)) return undefined;
  let body: unknown;
  try {
    // Bounded before this point (see core/http/body-limit.ts).
    body = JSON.parse(await request.clone().text());
  } catch {
    return undefined; // not JSON: the transport answers that itself
  }
  const tools = deleteToolsCalled(body);
  if (tools.length === 0) return undefined;
  return insufficientScope(auth, [...ALL_SCOPES], `${tools[0]} needs the ${SCOPE_DELETE} scope; this app was connected read-only`);
}

export interface ProtectedHandler {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response>;
}

/** `handler`, behind the scope check above. */
export function requireScopes(handler: ProtectedHandler): ProtectedHandler {
  return {
    async fetch(request, env, ctx) {
      const auth = (ctx as ExecutionContext & { auth?: OAuthResourceAuth }).auth;
      if (!auth) throw new Error('scope check reached without a verified token');
      return (await scopeRefusal(request, auth)) ?? handler.fetch(request, env, ctx);
    },
  };
}
