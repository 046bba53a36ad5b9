import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpAgent } from 'agents/mcp';
import { lumaClientSettings } from '../../src/worker/config.ts';
import type { Env } from '../../src/worker/env.ts';
import { createLumaClient, type LumaClient } from '../../src/core/luma/luma-client.ts';
import { LumaError } from '../../src/core/luma/luma-error.ts';
import type { DeleteCallResult, UserAccount } from '../../src/core/account/user-account.ts';
import { registerOnLegacyServer } from '../../src/core/mcp/legacy-server.ts';
import { deleteGenerationTool } from '../../src/core/tools/delete-generation.tool.ts';
import type { CallContext } from '../../src/core/tools/tool-definition.ts';

/**
 * The benchmark's baseline Worker: the same `McpAgent` (one Durable Object per session, `/mcp` and
 * `/sse`) and the same `delete_generation` tool code and Luma client as the product, but with
 * none of the product's features: no OAuth (no token check), no per-user key store (the Luma key
 * is a fixed variable), no deletes log, no KV copy, no confirmation. The difference between this
 * and the product is what those features cost.
 */
interface BaselineEnv {
  MCP_OBJECT: DurableObjectNamespace<BaselineMcpAgent>;
  /** The one Luma key every call uses (a simulator account). */
  BASELINE_LUMA_KEY?: string;
  LUMA_API_BASE_URL?: string;
  LUMA_TIMEOUT_MS?: string;
  LUMA_MAX_RETRIES?: string;
  LUMA_RETRY_BASE_DELAY_MS?: string;
}

const CLIENT = { id: 'baseline', name: 'baseline (no OAuth)' };

export class BaselineMcpAgent extends McpAgent<BaselineEnv> {
  server = new McpServer({ name: 'luma-dream-machine-baseline', version: '0.0.0' });
  private luma?: LumaClient;

  async init(): Promise<void> {
    // The product's settings parser, so both read LUMA_* the same way.
    const settings = lumaClientSettings(this.env as unknown as Env);
    this.luma = createLumaClient({ ...settings, apiKey: this.env.BASELINE_LUMA_KEY ?? '' });
    const context = this.callContext();
    registerOnLegacyServer(this.server, () => context, [deleteGenerationTool], []);
  }

  private callContext(): CallContext {
    const unsupported = () => Promise.reject(new Error('not offered by the baseline'));
    const account: UserAccount = {
      deleteGeneration: async (generationId): Promise<DeleteCallResult> => {
        try {
          const outcome = await this.luma!.deleteGeneration(generationId);
          const entry = {
            generation_id: generationId,
            deleted_at: new Date().toISOString(),
            outcome: 'deleted' as const,
            confirmed_by: outcome.confirmedBy,
            client: CLIENT,
          };
          return { ok: true, status: 'deleted', entry };
        } catch (error) {
          if (!(error instanceof LumaError)) throw error;
          const { kind, status, detail, retryAfterSeconds, reason, attempts } = error;
          return { ok: false, error: { kind, status, detail, retryAfterSeconds, reason, attempts } };
        }
      },
      // No confirmation in the baseline: nothing to read first.
      getPreferences: async () => ({ confirm_deletes: false }),
      setPreferences: unsupported,
      previewDelete: unsupported,
      getGeneration: unsupported,
      listGenerations: unsupported,
      listDeletes: unsupported,
      clearDeletes: unsupported,
    };
    return { account, client: CLIENT, keyAdvice: 'The baseline uses a fixed key (BASELINE_LUMA_KEY).' };
  }
}

const mcp = BaselineMcpAgent.serve('/mcp', { binding: 'MCP_OBJECT' });
const sse = BaselineMcpAgent.serveSSE('/sse', { binding: 'MCP_OBJECT' });

export default {
  fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    if (pathname === '/mcp' || pathname.startsWith('/mcp/')) return mcp.fetch(request, env, ctx);
    if (pathname === '/sse' || pathname.startsWith('/sse/')) return sse.fetch(request, env, ctx);
    if (pathname === '/') return new Response('baseline ok\n');
    return new Response('Not found\n', { status: 404 });
  },
} satisfies ExportedHandler<BaselineEnv>;
