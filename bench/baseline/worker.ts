import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpAgent } from 'agents/mcp';
import { lumaClientSettings } from '../../src/worker/config.ts';
import type { Env } from '../../src/worker/env.ts';
import { createLumaClient, type LumaClient } from '../../src/core/luma/luma-client.ts';
import { LumaError } from '../../src/core/luma/luma-error.ts';
import { registerDeleteGenerationTool } from '../../src/core/tools/delete-generation.tool.ts';
import type { ToolContext } from '../../src/core/tools/tool-context.ts';
import type { DeleteCallResult } from '../../src/core/account/user-account.ts';

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
    registerDeleteGenerationTool(this.server, this.toolContext());
  }

  private toolContext(): ToolContext {
    const unsupported = () => Promise.reject(new Error('not offered by the baseline'));
    return {
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
      keyAdvice: 'The baseline uses a fixed key (BASELINE_LUMA_KEY).',
      // No confirmation in the baseline: nothing to read first.
      getPreferences: async () => ({ confirm_deletes: false }),
      setPreferences: unsupported,
      previewDelete: unsupported,
      getGeneration: unsupported,
      listGenerations: unsupported,
      listRecentDeletes: unsupported,
      clearRecentDeletes: unsupported,
    };
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
