import { StreamableHTTPClientTransport, UnauthorizedError, type Client, type OAuthClientProvider, type OAuthDiscoveryState } from '@modelcontextprotocol/client';
import { approveWithKey } from '../../support/consent-form.ts';
import { makeModernClient, type ModernClientSettings } from '../../support/modern-client.ts';
import { InMemoryOAuthProvider } from './mcp-oauth-client.ts';

/**
 * The in-memory provider of the 2025-era tests, plus what a v2 host also keeps: the discovery
 * state (authorization server and resource), which the v2 client uses to check the issuer.
 */
export class ModernOAuthProvider extends InMemoryOAuthProvider {
  private discovery?: OAuthDiscoveryState;

  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.discovery = state;
  }
  discoveryState() {
    return this.discovery;
  }
}

export interface ModernConnectOptions extends ModernClientSettings {
  /** Changes the consent page's redirect before the client sees it (tests of the issuer check). */
  tamperRedirect?: (callback: URL) => URL;
}

/**
 * The official v2 client's OAuth machinery (discovery, registration, PKCE, token exchange) through
 * the whole flow, approving with `lumaApiKey`, finished as a real host does: with the callback's
 * query (`code`, `state`, `iss`), so the client checks the issuer (RFC 9207).
 */
export async function connectModernWithOAuth(origin: string, lumaApiKey: string, options: ModernConnectOptions = {}): Promise<{ client: Client; provider: ModernOAuthProvider; callback: URL }> {
  const provider = new ModernOAuthProvider('E2E modern client');
  const authProvider = provider as unknown as OAuthClientProvider;
  const url = new URL('/mcp', origin);
  const first = new StreamableHTTPClientTransport(url, { authProvider });
  try {
    await makeModernClient('e2e-modern', options).connect(first);
    throw new Error('connected without authorization');
  } catch (error) {
    if (!(error instanceof UnauthorizedError) || !provider.authorizationUrl) throw error;
  }
  let callback = await approveWithKey(provider.authorizationUrl, lumaApiKey);
  if (options.tamperRedirect) callback = options.tamperRedirect(callback);
  await first.finishAuth(callback.searchParams);
  const client = makeModernClient('e2e-modern', options);
  await client.connect(new StreamableHTTPClientTransport(url, { authProvider }));
  return { client, provider, callback };
}
