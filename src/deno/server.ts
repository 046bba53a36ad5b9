import { createMcpHandler, isLegacyRequest } from '@modelcontextprotocol/server';
import type { DeletesLog } from '../core/account/deletes-log.ts';
import { memoryIntents, type DeleteIntents } from '../core/account/delete-intents.ts';
import { memoryPreferences, type PreferencesStore } from '../core/account/preferences.ts';
import { bodyLimitFor, boundRequestBody } from '../core/http/body-limit.ts';
import { createUserAccount } from '../core/account/user-account.ts';
import { createLumaClient } from '../core/luma/luma-client.ts';
import { confirmationStates, deriveRequestStateKey } from '../core/mcp/confirmation-state.ts';
import { createModernServer } from '../core/mcp/modern-server.ts';
import { bearerCheck } from './bearer-auth.ts';
import type { SelfHostedConfig } from './config.ts';
import { McpSessions, rpcError } from './mcp-sessions.ts';
import { MemoryDeletesLog } from './memory-deletes-log.ts';
import { originPolicy } from './origin-policy.ts';
import { createSessionServer, OWNER } from './session-server.ts';
import { singleUserContext } from './single-user-context.ts';

/**
 * The self-hosted server as a `Request → Response` function, on Web-standard APIs only (the Deno
 * entry point, src/deno/main.ts, reads the environment, listens, and supplies the fetch for Luma),
 * so it could be served by any runtime that speaks Request/Response. Order matters: a foreign
 * browser origin is refused before anything else, CORS preflights (which carry no credentials) are
 * answered before the token check, and nothing reaches MCP without the bearer token.
 */
export interface SelfHostedServer {
  fetch(request: Request): Promise<Response>;
  /** Ends every MCP session. */
  close(): Promise<void>;
}

export const MCP_PATH = '/mcp';

export interface SelfHostedServerOptions {
  /** The fetch for requests to Luma; the runtime's own when absent (see luma-fetch.ts for Deno's). */
  lumaFetch?: typeof fetch;
  /**
   * Where the person's log, open delete intents and preference are kept: Deno KV when started by
   * main.ts (deno-kv-store.ts), so that a restart loses nothing; memory when absent (tests).
   */
  storage?: SelfHostedStorage;
}

export interface SelfHostedStorage {
  log: DeletesLog;
  intents: DeleteIntents;
  preferences: PreferencesStore;
}

export async function createSelfHostedServer(config: SelfHostedConfig, options: SelfHostedServerOptions = {}): Promise<SelfHostedServer> {
  const storage = options.storage ?? { log: new MemoryDeletesLog(config.retention), intents: memoryIntents(config.retention), preferences: memoryPreferences() };
  const account = createUserAccount({
    ...storage,
    getLumaKey: async () => config.lumaApiKey,
    lumaClient: (apiKey) => createLumaClient({ ...config.luma, apiKey, fetch: options.lumaFetch }),
  });
  // 2025-era clients keep a session (their confirmations are asked inside the open call)…
  const sessions = new McpSessions({ createServer: () => createSessionServer(account) });
  // …2026-07-28 clients are served per request; a confirmation's state is sealed with a key from the bearer token.
  const confirmations = confirmationStates(await deriveRequestStateKey(config.bearerToken), 'owner');
  const modern = createMcpHandler(
    () => createModernServer({ context: (clientInfo) => singleUserContext(account, clientInfo), confirmations, whose: OWNER }),
    { legacy: 'reject' },
  );
  const authorize = await bearerCheck(config.bearerToken);
  const origins = originPolicy(config.allowedOrigins);

  return {
    async fetch(request) {
      const refused = origins.refuse(request);
      if (refused) return refused;
      const preflight = origins.preflight(request);
      if (preflight) return preflight;

      const { pathname } = new URL(request.url);
      if (pathname === '/' && (request.method === 'GET' || request.method === 'HEAD')) return about();
      if (pathname !== MCP_PATH) return new Response('Not found. The MCP endpoint is /mcp.\n', { status: 404 });

      // Bounded before anything reads it, the token check included (413 without reading an oversized body).
      const bounded = await boundRequestBody(request, bodyLimitFor(pathname));
      if (!bounded.ok) return origins.decorate(request, bounded.response);
      const denied = await authorize(bounded.request);
      if (denied) return origins.decorate(request, denied);
      try {
        const era = (await isLegacyRequest(bounded.request)) ? sessions.handle(bounded.request) : modern.fetch(bounded.request);
        return origins.decorate(request, await era);
      } catch {
        // The error may quote a request; it is for a debugger, not for the log or the client.
        console.error(`${request.method} ${MCP_PATH}: the request failed inside the server`);
        return rpcError(500, 'Internal error while handling the request.', -32603);
      }
    },
    close: async () => {
      await Promise.all([sessions.closeAll(), modern.close()]);
    },
  };
}

/** For health checks and for people who open the URL: what this is, and nothing about its owner. */
function about(): Response {
  return new Response('Luma Dream Machine MCP server (self-hosted, single user). MCP endpoint: /mcp (Streamable HTTP, bearer token).\n', {
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  });
}
