import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { MemoryOAuthProvider } from '../../../scripts/memory-oauth-provider.ts';
import { approveWithKey } from '../../support/consent-form.ts';

/**
 * The SDK's own OAuth machinery (discovery, dynamic registration, PKCE, token exchange) with the
 * in-memory provider `npm run try` uses. The only part played by the test is the person:
 * `redirectToAuthorization` records the URL, and `connectWithOAuth` fills in the consent form.
 */
export class InMemoryOAuthProvider extends MemoryOAuthProvider {
  constructor(clientName = 'E2E test client') {
    // Never listened on: the test reads the code from the consent page's redirect instead.
    super(clientName, 'http://127.0.0.1:53682/callback');
  }
}

export type TransportKind = 'streamable-http' | 'sse';

function makeTransport(kind: TransportKind, origin: string, authProvider: OAuthClientProvider) {
  return kind === 'sse'
    ? new SSEClientTransport(new URL('/sse', origin), { authProvider })
    : new StreamableHTTPClientTransport(new URL('/mcp', origin), { authProvider });
}

/**
 * Connects the official SDK client through the full OAuth flow, approving with `lumaApiKey`.
 * `makeClient` builds the client (e.g. one that declares elicitation and answers it).
 */
export async function connectWithOAuth(
  origin: string,
  kind: TransportKind,
  lumaApiKey: string,
  provider = new InMemoryOAuthProvider(),
  makeClient: () => Client = () => new Client({ name: 'e2e', version: '1.0.0' }),
): Promise<{ client: Client; provider: InMemoryOAuthProvider }> {
  const first = makeTransport(kind, origin, provider);
  const client = makeClient();
  try {
    await client.connect(first);
    return { client, provider }; // already authorized (provider had tokens)
  } catch (error) {
    if (!(error instanceof UnauthorizedError) || !provider.authorizationUrl) throw error;
  }
  const redirect = await approveWithKey(provider.authorizationUrl, lumaApiKey);
  const code = redirect.searchParams.get('code');
  if (!code) throw new Error(`consent did not return a code: ${redirect}`);
  await first.finishAuth(code);
  const authorized = makeClient();
  await authorized.connect(makeTransport(kind, origin, provider));
  return { client: authorized, provider };
}
