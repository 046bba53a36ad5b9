import type { OAuthResourceAuth } from '@cloudflare/workers-oauth-provider';
import { createMcpHandler } from '@modelcontextprotocol/server';
import { confirmationStates, deriveRequestStateKey } from '../../core/mcp/confirmation-state.ts';
import { createModernServer } from '../../core/mcp/modern-server.ts';
import { readSecrets } from '../config.ts';
import type { AuthProps, Env } from '../env.ts';
import { workerCallContext } from './call-context.ts';

/**
 * The 2026-07-28 entry point: the Worker answers each request itself, with a fresh MCP server and
 * no session object. The only hop is to the person's own UserStore, when a tool needs it.
 * The OAuth provider has already checked the token; its props say who the person is, and the
 * token (with its scopes) becomes the SDK's auth context.
 */
export async function serveModernMcp(request: Request, env: Env, props: AuthProps, auth: OAuthResourceAuth): Promise<Response> {
  const key = await requestStateKey(env);
  const handler = createMcpHandler(
    () => createModernServer({ context: () => workerCallContext(env, props), confirmations: confirmationStates(key, props.userId), whose: "the connected person's" }),
    { legacy: 'reject', onerror: () => console.warn('mcp: a 2026-07-28 request was refused or failed') },
  );
  return handler.fetch(request, {
    authInfo: { token: auth.token, clientId: props.clientId, scopes: auth.scope, expiresAt: auth.expiresAt, extra: { userId: props.userId } },
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
