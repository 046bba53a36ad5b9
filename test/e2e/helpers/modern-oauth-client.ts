import {
  Client,
  StreamableHTTPClientTransport,
  UnauthorizedError,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
} from '@modelcontextprotocol/client';
import { approveWithKey } from '../../support/consent-form.ts';

type ProviderTypes = Parameters<OAuthClientProvider['saveTokens']>[0];

/**
 * The official v2 client's OAuth machinery (discovery, dynamic registration, PKCE, token exchange,
 * RFC 9207 issuer check), with an in-memory provider that keeps what a real host keeps, discovery
 * state included. The only part the test plays is the person, on the consent page.
 */
export class ModernOAuthProvider implements OAuthClientProvider {
  authorizationUrl?: URL;
  private info?: Parameters<NonNullable<OAuthClientProvider['saveClientInformation']>>[0];
  private saved?: ProviderTypes;
  private verifier = '';
  private discovery?: OAuthDiscoveryState;

  get redirectUrl(): string {
    // Never listened on: the test reads the code from the consent page's redirect instead.
    return 'http://127.0.0.1:53683/callback';
  }
  get clientMetadata() {
    return {
      client_name: 'E2E modern client',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: NonNullable<typeof this.info>) {
    this.info = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: ProviderTypes) {
    this.saved = tokens;
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
  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.discovery = state;
  }
  discoveryState() {
    return this.discovery;
  }
}

export interface ModernConnectOptions {
  mode?: 'pin' | 'auto';
  /** The person's answer to each confirmation; absent: the client cannot ask. */
  answer?: () => { action: 'accept' | 'decline' | 'cancel'; content?: Record<string, unknown> };
  /** Changes the consent page's redirect before the client sees it (tests of the issuer check). */
  tamperRedirect?: (callback: URL) => URL;
}

function makeClient(options: ModernConnectOptions): Client {
  const client = new Client(
    { name: 'e2e-modern', version: '1.0.0' },
    {
      versionNegotiation: { mode: options.mode === 'auto' ? 'auto' : { pin: '2026-07-28' } },
      ...(options.answer ? { capabilities: { elicitation: { form: {} } } } : {}),
    },
  );
  if (options.answer) {
    const answer = options.answer;
    client.setRequestHandler('elicitation/create', async () => answer());
  }
  return client;
}

/**
 * Connects through the whole OAuth flow, approving with `lumaApiKey`, and finishes it as a real
 * host does: with the callback's query (`code`, `state`, `iss`), so the client checks the issuer.
 */
export async function connectModernWithOAuth(origin: string, lumaApiKey: string, options: ModernConnectOptions = {}): Promise<{ client: Client; provider: ModernOAuthProvider; callback: URL }> {
  const provider = new ModernOAuthProvider();
  const url = new URL('/mcp', origin);
  const first = new StreamableHTTPClientTransport(url, { authProvider: provider });
  try {
    await makeClient(options).connect(first);
    throw new Error('connected without authorization');
  } catch (error) {
    if (!(error instanceof UnauthorizedError) || !provider.authorizationUrl) throw error;
  }
  let callback = await approveWithKey(provider.authorizationUrl, lumaApiKey);
  if (options.tamperRedirect) callback = options.tamperRedirect(callback);
  await first.finishAuth(callback.searchParams);
  const client = makeClient(options);
  await client.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
  return { client, provider, callback };
}
