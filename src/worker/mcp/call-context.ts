import type { UserAccount } from '../../core/account/user-account.ts';
import type { CallContext } from '../../core/tools/tool-definition.ts';
import type { AuthProps, Env } from '../env.ts';
import { withEdgeReads } from '../log-cache/read-recent-deletes.ts';
import { RecentDeletesCache } from '../log-cache/recent-deletes-cache.ts';
import { accountOf } from '../user-store/user-store.ts';

export const WORKER_KEY_ADVICE = 'Reconnect this MCP server and paste a valid Luma API key on its consent page.';

/**
 * What a tool call in the Worker acts on, for the user and app in the token's props, whichever
 * era serves the call: the person's account in their own Durable Object, with reads of the
 * deletes log served from the KV copy when it can answer.
 */
export function workerCallContext(env: Env, props: AuthProps): CallContext {
  const account: UserAccount = withEdgeReads(props.userId, accountOf(env, props.userId), new RecentDeletesCache(env.DELETES_CACHE));
  return { account, client: { id: props.clientId, name: props.clientName }, keyAdvice: WORKER_KEY_ADVICE };
}
