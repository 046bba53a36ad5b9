import type { LumaMcpAgent } from './mcp/luma-mcp-agent.ts';
import type { UserStore } from './user-store/user-store.ts';
import type { RateLimiter } from './auth/rate-limiter.ts';

/** Bindings, variables and secrets of the Worker. Every one is described in the README's table. */
export interface Env {
  /** OAuth clients, grants and tokens (workers-oauth-provider's storage). */
  OAUTH_KV: KVNamespace;
  /** One Durable Object per MCP session (McpAgent). */
  MCP_OBJECT: DurableObjectNamespace<LumaMcpAgent>;
  /** One Durable Object per user: their encrypted Luma key and their deletes log. */
  USER_STORE: DurableObjectNamespace<UserStore>;
  /** Each user's newest deletes, copied from their Durable Object for reads at the edge. */
  DELETES_CACHE: KVNamespace;
  /** Durable counters for the front door's limits (failed key checks, registrations, consent page). */
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;

  /** Luma API base URL; the simulator's in tests and `npm run demo`. */
  LUMA_API_BASE_URL?: string;
  /** Timeout of one Luma request, in milliseconds. */
  LUMA_TIMEOUT_MS?: string;
  /** Retries after a failed Luma request (connection errors, 408, 429, 5xx). */
  LUMA_MAX_RETRIES?: string;
  /** First backoff step between retries, in milliseconds. */
  LUMA_RETRY_BASE_DELAY_MS?: string;

  /** Most entries kept in a user's deletes log. */
  DELETES_LOG_MAX_ENTRIES?: string;
  /** Oldest entry kept in a user's deletes log, in days. */
  DELETES_LOG_MAX_AGE_DAYS?: string;

  /**
   * Browser origins allowed to use `/mcp` and `/sse` (DNS-rebinding protection): comma-separated
   * origins and the keywords `self` and `loopback`; unset or empty means `self,loopback`.
   * See http/origin-policy.ts.
   */
  ALLOWED_ORIGINS?: string;

  /** Client registrations allowed per address per 10 minutes (default 20). */
  RATE_LIMIT_REGISTRATIONS?: string;
  /** Consent-page requests allowed per address per 10 minutes (default 60). */
  RATE_LIMIT_CONSENT_PAGE?: string;

  /** Secret: key material for encrypting stored Luma keys. */
  KEY_ENCRYPTION_SECRET?: string;
  /** Secret: HMAC key that turns a Luma key into an opaque user ID. */
  USER_ID_SECRET?: string;
}

/** What an access token carries into the MCP agent: never the Luma key itself. */
export interface AuthProps extends Record<string, unknown> {
  userId: string;
  /** The OAuth client the person approved, for the record of who did what. */
  clientId: string;
  clientName: string;
}
