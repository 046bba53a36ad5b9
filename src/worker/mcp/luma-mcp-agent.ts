import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpAgent } from 'agents/mcp';
import type { AuthProps, Env } from '../env.ts';
import { readRecentDeletes } from '../log-cache/read-recent-deletes.ts';
import { RecentDeletesCache } from '../log-cache/recent-deletes-cache.ts';
import { registerTools } from '../../core/mcp/register-tools.ts';
import { SERVER_INFO, serverInstructions } from '../../core/mcp/server-info.ts';
import type { ToolContext } from '../../core/tools/tool-context.ts';
import type { DeleteEntry } from '../../core/account/deletes-log.ts';
import { userStoreFor, type UserStore } from '../user-store/user-store.ts';

/**
 * One Durable Object per MCP session, serving both `/mcp` (Streamable HTTP) and `/sse`.
 * It holds no secrets and no state of the user's: deletes are decided by the user's own UserStore
 * (which holds the key and the log), and reads of the log come from the KV copy when it can answer.
 */
export class LumaMcpAgent extends McpAgent<Env, unknown, AuthProps> {
  server = new McpServer(SERVER_INFO, { instructions: serverInstructions("the connected person's") });

  async init(): Promise<void> {
    registerTools(this.server, this.toolContext());
  }

  /**
   * The user who opened this session, from the props McpAgent stored when it began; `undefined`
   * for a session that was never opened. Read from storage, so it is right before `onStart` too.
   */
  async sessionOwner(): Promise<string | undefined> {
    return (await this.ctx.storage.get<AuthProps>('props'))?.userId;
  }

  private toolContext(): ToolContext {
    const cache = new RecentDeletesCache(this.env.DELETES_CACHE);
    // Props are fixed for the session: who the user is and which app they approved.
    const withUser = <T>(run: (user: { userId: string; store: DurableObjectStub<UserStore>; client: DeleteEntry['client'] }) => T): T => {
      const props = this.props;
      if (!props?.userId) throw new Error('session has no user');
      return run({ userId: props.userId, store: userStoreFor(this.env, props.userId), client: { id: props.clientId, name: props.clientName } });
    };
    return {
      keyAdvice: 'Reconnect this MCP server and paste a valid Luma API key on its consent page.',
      deleteGeneration: async (generationId) => {
        if (!this.props?.userId) return { ok: false, error: { kind: 'no_api_key' } };
        return withUser(({ userId, store, client }) => store.deleteGeneration(userId, generationId, client));
      },
      previewDelete: (generationId) => withUser(({ userId, store }) => store.previewDelete(userId, generationId)),
      getGeneration: (generationId) => withUser(({ userId, store }) => store.getGeneration(userId, generationId)),
      listGenerations: (page) => withUser(({ userId, store }) => store.listGenerations(userId, page)),
      listRecentDeletes: (query) => withUser(({ userId, store }) => readRecentDeletes(userId, query, cache, (q) => store.listDeletes(userId, q))),
      clearRecentDeletes: () => withUser(({ userId, store }) => store.clearDeletes(userId)),
      getPreferences: () => withUser(({ userId, store }) => store.getPreferences(userId)),
      setPreferences: (changes) => withUser(({ userId, store }) => store.setPreferences(userId, changes)),
    };
  }
}
