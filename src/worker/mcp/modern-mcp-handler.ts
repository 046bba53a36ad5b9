import { createMcpHandler } from '@modelcontextprotocol/server';
import { confirmationStates, deriveRequestStateKey } from '../../core/mcp/confirmation-state.ts';
import { createModernServer } from '../../core/mcp/modern-server.ts';
import { readSecrets } from '../config.ts';
import type { AuthProps, Env } from '../env.ts';
import { workerCallContext } from './call-context.ts';

/**
 * The 2026-07-28 entry point: the Worker answers each request itself, with a fresh MCP server and
 * no session object. The only hop is to the person's own UserStore, when a tool needs it.
 * The OAuth provider has already checked the token; its props say who the person is.
 */
export async function serveModernMcp(request: Request, env: Env, props: AuthProps): Promise<Response> {
  const key = await requestStateKey(env);
  const handler = createMcpHandler(
    () => createModernServer({ context: () => workerCallContext(env, props), confirmations: confirmationStates(key, props.userId), whose: "the connected person's" }),
    { legacy: 'reject', onerror: () => console.warn('mcp: a 2026-07-28 request was refused or failed') },
  );
  return handler.fetch(request, {
    authInfo: { token: bearerToken(request), clientId: props.clientId, scopes: [], extra: { userId: props.userId } },
  });
}

/** The confirmation-state key, derived once per isolate from the secret (never a default). */
let derived: { secret: string; key: Promise<Uint8Array> } | undefined;

function requestStateKey(env: Env): Promise<Uint8Array> {
  const secrets = readSecrets(env);
  if (!secrets.ok) throw new Error('mcp: secrets missing'); // unreachable: the entry point refuses first
  const secret = secrets.secrets.keyEncryptionSecret;
  if (derived?.secret !== secret) derived = { secret, key: deriveRequestStateKey(secret) };
  return derived.key;
}

function bearerToken(request: Request): string {
  return request.headers.get('Authorization')?.replace(/^Bearer\s+/i, '') ?? '';
}
