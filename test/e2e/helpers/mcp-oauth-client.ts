import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { approveWithKey } from '../../support/consent-form.ts';

/**
 * The SDK's own OAuth machinery (discovery, dynamic registration, PKCE, token exchange) with an
 * in-memory provider. The only part played by the test is the person: `redirectToAuthorization`
 * records the URL, and `connectWithOAuth` fills in the consent form with the Luma key.
 */
export class InMemoryOAuthProvider implements OAuthClientProvider {
  authorizationUrl?: URL;
  private info?: OAuthClientInformationMixed;
  private savedTokens?: OAuthTokens;
  private verifier = '';
  readonly clientName: string;

  constructor(clientName = 'E2E test client') {
    this.clientName = clientName;
  }

  get redirectUrl(): string {
    // Never listened on: the test reads the code from the consent page's redirect instead.
    return 'http://127.0.0.1:53682/callback';
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.clientName,
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.info = info;
  }
  tokens() {
    return this.savedTokens;
  }
  saveTokens(tokens: OAuthTokens) {
    this.savedTokens = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
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
