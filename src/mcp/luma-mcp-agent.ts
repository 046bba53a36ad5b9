import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpAgent } from 'agents/mcp';
import { lumaClientSettings } from '../config.ts';
import type { AuthProps, Env } from '../env.ts';
import { createLumaClient } from '../luma/luma-client.ts';
import { registerTools } from '../tools/register-tools.ts';
import type { ToolContext } from '../tools/tool-context.ts';
import { userStoreFor } from '../user-store/user-store.ts';

export const SERVER_NAME = 'luma-dream-machine';
export const SERVER_VERSION = '0.1.0';

/**
 * One Durable Object per MCP session, serving both `/mcp` (Streamable HTTP) and `/sse`.
 * It holds no secrets: each tool call fetches the user's key from their own UserStore.
 */
export class LumaMcpAgent extends McpAgent<Env, unknown, AuthProps> {
  server = new McpServer(
    { name: SERVER_NAME, version: SERVER_VERSION },
    {
      instructions:
        'Manages the connected person\'s Luma Dream Machine generations. Deleting is permanent: only delete what the person asked to delete.',
    },
  );

  async init(): Promise<void> {
    registerTools(this.server, this.toolContext());
  }

  private toolContext(): ToolContext {
    const settings = lumaClientSettings(this.env);
    return {
      getLumaKey: async () => {
        const userId = this.props?.userId;
        if (!userId) return null;
        return userStoreFor(this.env, userId).getLumaKey(userId);
      },
      lumaClient: (apiKey) => createLumaClient({ ...settings, apiKey }),
    };
  }
}
