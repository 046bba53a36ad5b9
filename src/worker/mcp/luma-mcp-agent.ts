import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpAgent } from 'agents/mcp';
import { registerOnLegacyServer } from '../../core/mcp/legacy-server.ts';
import { SERVER_INFO, serverInstructions } from '../../core/mcp/server-info.ts';
import type { AuthProps, Env } from '../env.ts';
import { workerCallContext } from './call-context.ts';

/**
 * The 2025-era entry point: one Durable Object per MCP session, serving both `/mcp` (Streamable
 * HTTP, `initialize` handshake) and `/sse`. It holds no secrets and no state of the user's: the
 * tools act through the user's own UserStore (see call-context.ts). 2026-07-28 requests never
 * reach it: the Worker serves them itself (modern-mcp-handler.ts).
 */
export class LumaMcpAgent extends McpAgent<Env, unknown, AuthProps> {
  server = new McpServer(SERVER_INFO, { instructions: serverInstructions("the connected person's") });

  async init(): Promise<void> {
    registerOnLegacyServer(this.server, () => {
      // Props are fixed for the session: who the user is and which app they approved.
      if (!this.props?.userId) throw new Error('session has no user');
      return workerCallContext(this.env, this.props);
    });
  }

  /**
   * The user who opened this session, from the props McpAgent stored when it began; `undefined`
   * for a session that was never opened. Read from storage, so it is right before `onStart` too.
   */
  async sessionOwner(): Promise<string | undefined> {
    return (await this.ctx.storage.get<AuthProps>('props'))?.userId;
  }
}
