import { DurableObject } from 'cloudflare:workers';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { createMcpHandler, isLegacyRequest } from '@modelcontextprotocol/server';
import { McpAgent } from 'agents/mcp';
import { lumaClientSettings } from '../../src/worker/config.ts';
import type { Env } from '../../src/worker/env.ts';
import { createLumaClient, type LumaClient } from '../../src/core/luma/luma-client.ts';
import { LumaError } from '../../src/core/luma/luma-error.ts';
import type { DeleteCallResult, UserAccount } from '../../src/core/account/user-account.ts';
import { confirmationStates, deriveRequestStateKey } from '../../src/core/mcp/confirmation-state.ts';
import { registerOnLegacyServer } from '../../src/core/mcp/legacy-server.ts';
import { createModernServer } from '../../src/core/mcp/modern-server.ts';
import { deleteGenerationTool } from '../../src/core/tools/delete-generation.tool.ts';
import type { CallContext } from '../../src/core/tools/tool-definition.ts';

/**
 * The benchmark's baseline Worker: the product's own `delete_generation` tool code and Luma client
 * with none of the product's features: no OAuth (no token check), no per-user key store (the Luma
 * key is a fixed variable), no deletes log, no KV copy, no confirmation. The difference between this
 * and the product is what those features cost. It serves `/mcp` the way the product does: the SDK's
 * `isLegacyRequest` splits the two protocol eras.
 *
 * - `/mcp`, 2025-era requests, and `/sse`: a bare `McpAgent` (one Durable Object per session).
 * - `/mcp`, 2026-07-28 requests: the SDK's stateless `createMcpHandler` with a fresh v2 `McpServer`
 *   per request (the product's `createModernServer` with one tool), answered by the Worker itself.
 *
 * And three rungs of a ladder, to price each hop of the product's 2026-07-28 path on its own
 * (bench/run.ts measures them in the warm rounds only):
 * - `DELETE /hop/direct/{id}`: the Worker sends the DELETE to Luma itself (no MCP);
 * - `DELETE /hop/object/{id}`: the Worker asks a Durable Object, which sends the DELETE (no MCP);
 * - `DELETE /hop/object-write/{id}`: the same, and the object then writes one row to its SQLite
 *   storage (what the product's deletes log does after every delete);
 * - `DELETE /hop/object-write-kv/{id}`: the same, and then the newest 100 rows written to KV and
 *   awaited (what the product's log does next: its edge copy for `list_recent_deletes`);
 * - `/hop/mcp-object`: the stateless MCP handler, with the tool's account in a Durable Object (the
 *   product's shape: edge → one object → Luma, but no OAuth, no key store, no log, no KV).
 */
interface BaselineEnv {
  MCP_OBJECT: DurableObjectNamespace<BaselineMcpAgent>;
  HOP_OBJECT: DurableObjectNamespace<HopObject>;
  /** Where the last rung of the ladder writes its copy (as the product's log writes its KV copy). */
  HOP_KV: KVNamespace;
  /** The one Luma key every call uses (a simulator account). */
  BASELINE_LUMA_KEY?: string;
  LUMA_API_BASE_URL?: string;
  LUMA_TIMEOUT_MS?: string;
  LUMA_MAX_RETRIES?: string;
  LUMA_RETRY_BASE_DELAY_MS?: string;
}

const CLIENT = { id: 'baseline', name: 'baseline (no OAuth)' };
const KEY_ADVICE = 'The baseline uses a fixed key (BASELINE_LUMA_KEY).';

function lumaFor(env: BaselineEnv): LumaClient {
  // The product's settings parser, so both read LUMA_* the same way.
  return createLumaClient({ ...lumaClientSettings(env as unknown as Env), apiKey: env.BASELINE_LUMA_KEY ?? '' });
}

/** Deletes straight through the Luma client: no log, no key store. */
async function deleteDirect(luma: LumaClient, generationId: string): Promise<DeleteCallResult> {
  try {
    const outcome = await luma.deleteGeneration(generationId);
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
}

/** The account the tool sees: only `deleteGeneration`, by whatever route the caller gives. */
function callContext(deleteGeneration: (generationId: string) => Promise<DeleteCallResult>): CallContext {
  const unsupported = () => Promise.reject(new Error('not offered by the baseline'));
  const account: UserAccount = {
    deleteGeneration,
    // No confirmation in the baseline: nothing to read first.
    getPreferences: async () => ({ confirm_deletes: false }),
    setPreferences: unsupported,
    previewDelete: unsupported,
    getGeneration: unsupported,
    listGenerations: unsupported,
    listDeletes: unsupported,
    clearDeletes: unsupported,
  };
  return { account, client: CLIENT, keyAdvice: KEY_ADVICE };
}

export class BaselineMcpAgent extends McpAgent<BaselineEnv> {
  server = new McpServer({ name: 'luma-dream-machine-baseline', version: '0.0.0' });

  async init(): Promise<void> {
    const luma = lumaFor(this.env);
    const context = callContext((generationId) => deleteDirect(luma, generationId));
    registerOnLegacyServer(this.server, () => context, [deleteGenerationTool], []);
  }
}

/**
 * A Durable Object that sends DELETEs to Luma: one object hop, nothing else; or, for the next rung,
 * the same and then one row written to its SQLite storage (as the product's log does), whose
 * commit the runtime waits for before the answer leaves the object (its output gate).
 */
export class HopObject extends DurableObject<BaselineEnv> {
  private luma?: LumaClient;

  constructor(ctx: DurableObjectState, env: BaselineEnv) {
    super(ctx, env);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS deletes (seq INTEGER PRIMARY KEY AUTOINCREMENT, generation_id TEXT UNIQUE, entry TEXT)');
  }

  async deleteGeneration(generationId: string): Promise<DeleteCallResult> {
    this.luma ??= lumaFor(this.env);
    return deleteDirect(this.luma, generationId);
  }

  async deleteAndRecord(generationId: string): Promise<DeleteCallResult> {
    const result = await this.deleteGeneration(generationId);
    if (result.ok) this.ctx.storage.sql.exec('INSERT INTO deletes (generation_id, entry) VALUES (?, ?)', generationId, JSON.stringify(result.entry));
    return result;
  }

  /** The same, then the newest 100 rows written to KV and awaited, as the product's log does after every delete. */
  async deleteRecordAndCopy(generationId: string): Promise<DeleteCallResult> {
    const result = await this.deleteAndRecord(generationId);
    if (result.ok) {
      const rows = this.ctx.storage.sql.exec<{ seq: number; entry: string }>('SELECT seq, entry FROM deletes ORDER BY seq DESC LIMIT 101').toArray();
      const snapshot = { entries: rows.slice(0, 100).map((row) => JSON.parse(row.entry) as unknown), cursors: rows.slice(0, 100).map((row) => String(row.seq)), written_at: new Date().toISOString() };
      await this.env.HOP_KV.put('hop:recent-deletes', JSON.stringify(snapshot));
    }
    return result;
  }
}

// ── 2026-07-28, stateless ────────────────────────────────────────────────────────────────────────

/** The codec key, derived once per isolate as the product does (never used: no confirmations here). */
let stateKey: Promise<Uint8Array> | undefined;
let isolateLuma: LumaClient | undefined;

async function serveStateless(request: Request, env: BaselineEnv, deleteGeneration: (generationId: string) => Promise<DeleteCallResult>): Promise<Response> {
  stateKey ??= deriveRequestStateKey('bench-baseline-request-state-secret');
  const confirmations = confirmationStates(await stateKey, CLIENT.id);
  const context = callContext(deleteGeneration);
  const handler = createMcpHandler(
    () => createModernServer({ context: () => context, confirmations, whose: 'the baseline account', tools: [deleteGenerationTool], resources: [] }),
    { legacy: 'reject' },
  );
  return handler.fetch(request);
}

function viaObject(env: BaselineEnv) {
  const stub = env.HOP_OBJECT.get(env.HOP_OBJECT.idFromName('hop'));
  return (generationId: string) => stub.deleteGeneration(generationId) as Promise<DeleteCallResult>;
}

const legacyMcp = BaselineMcpAgent.serve('/mcp', { binding: 'MCP_OBJECT' });
const sse = BaselineMcpAgent.serveSSE('/sse', { binding: 'MCP_OBJECT' });

async function hopStatus(result: Promise<DeleteCallResult>): Promise<Response> {
  const outcome = await result;
  return new Response(null, { status: outcome.ok ? 204 : 502 });
}

export default {
  async fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    if (pathname === '/mcp' || pathname.startsWith('/mcp/')) {
      if (await isLegacyRequest(request)) return legacyMcp.fetch(request, env, ctx);
      isolateLuma ??= lumaFor(env);
      const luma = isolateLuma;
      return serveStateless(request, env, (generationId) => deleteDirect(luma, generationId));
    }
    if (pathname === '/sse' || pathname.startsWith('/sse/')) return sse.fetch(request, env, ctx);
    if (pathname === '/hop/mcp-object') return serveStateless(request, env, viaObject(env));
    if (request.method === 'DELETE' && pathname.startsWith('/hop/direct/')) {
      isolateLuma ??= lumaFor(env);
      return hopStatus(deleteDirect(isolateLuma, pathname.slice('/hop/direct/'.length)));
    }
    if (request.method === 'DELETE' && pathname.startsWith('/hop/object/')) return hopStatus(viaObject(env)(pathname.slice('/hop/object/'.length)));
    if (request.method === 'DELETE' && pathname.startsWith('/hop/object-write/')) {
      const stub = env.HOP_OBJECT.get(env.HOP_OBJECT.idFromName('hop'));
      return hopStatus(stub.deleteAndRecord(pathname.slice('/hop/object-write/'.length)) as Promise<DeleteCallResult>);
    }
    if (request.method === 'DELETE' && pathname.startsWith('/hop/object-write-kv/')) {
      const stub = env.HOP_OBJECT.get(env.HOP_OBJECT.idFromName('hop'));
      return hopStatus(stub.deleteRecordAndCopy(pathname.slice('/hop/object-write-kv/'.length)) as Promise<DeleteCallResult>);
    }
    if (pathname === '/') return new Response('baseline ok\n');
    return new Response('Not found\n', { status: 404 });
  },
} satisfies ExportedHandler<BaselineEnv>;
