import type { LumaClient } from '../luma/luma-client.ts';

/**
 * What the tools need from wherever they run. The Worker fills it from the user's Durable Object;
 * another runtime can fill it from its own storage. Nothing here is Cloudflare-specific.
 */
export interface ToolContext {
  /** The signed-in user's Luma API key, or `null` when none is connected. */
  getLumaKey(): Promise<string | null>;
  /** A Luma client acting with the given key. */
  lumaClient(apiKey: string): LumaClient;
  /** Injected so tests can pin timestamps. */
  now?: () => Date;
}
