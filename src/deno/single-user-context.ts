import type { ClientRef, UserAccount } from '../core/account/user-account.ts';
import type { CallContext } from '../core/tools/tool-definition.ts';

/**
 * There is no OAuth client here: the bearer token is the one credential. The log records the
 * token as "who" and the client's own name (from its `initialize`, or a 2026-07-28 request's
 * envelope) as "through which app".
 */
export const BEARER_CLIENT_ID = 'bearer-token';

export const SELF_HOSTED_KEY_ADVICE = 'Set LUMA_API_KEY to a valid Luma API key for this server and restart it.';

/**
 * The tools' view of the one user of a self-hosted server: the same account (one log, one
 * preference, one in-flight delete per generation) for every session and request; only the app
 * that asks differs.
 */
export function singleUserContext(account: UserAccount, clientInfo: { name?: string; title?: string } | undefined): CallContext {
  return { account, client: clientOf(clientInfo), keyAdvice: SELF_HOSTED_KEY_ADVICE };
}

function clientOf(info: { name?: string; title?: string } | undefined): ClientRef {
  // Self-reported by the client, so only shown, and kept short.
  const name = (info?.title || info?.name || 'MCP client').slice(0, 100);
  return { id: BEARER_CLIENT_ID, name };
}
