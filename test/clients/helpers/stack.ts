import { startLumaSimulator } from '../../../simulator/node-server.ts';
import { connectWithOAuth } from '../../e2e/helpers/mcp-oauth-client.ts';
import { startWorker, type RunningWorker } from '../../e2e/helpers/wrangler-dev.ts';
import { SimulatorControl } from '../../support/simulator-control.ts';

/**
 * What every client test runs against: the Luma simulator as Luma, and the real Worker under
 * `wrangler dev` pointed at it. Keys handed out by `account()` are remembered so `stop()` can
 * report any that reached the Worker's logs.
 */
export interface Stack {
  worker: RunningWorker;
  simulator: SimulatorControl;
  account(generations?: number): Promise<{ apiKey: string; ids: string[] }>;
  /** Every secret handed out or issued so far (keys and tokens), for leak checks and redaction. */
  secrets: string[];
  /** Stops both; returns the secrets that appeared in the Worker's output (should be none). */
  stop(): Promise<string[]>;
}

export async function startStack(): Promise<Stack> {
  const simulatorServer = await startLumaSimulator({ port: 0 });
  let worker: RunningWorker;
  try {
    worker = await startWorker({
      LUMA_API_BASE_URL: simulatorServer.url,
      LUMA_TIMEOUT_MS: '2000',
      LUMA_MAX_RETRIES: '1',
      LUMA_RETRY_BASE_DELAY_MS: '20',
    });
  } catch (error) {
    await simulatorServer.close();
    throw error;
  }
  const simulator = new SimulatorControl(simulatorServer.url);
  const secrets: string[] = [];
  return {
    worker,
    simulator,
    secrets,
    async account(generations = 3) {
      const created = await simulator.createAccount(generations);
      secrets.push(created.apiKey);
      return { apiKey: created.apiKey, ids: created.generations.map((generation) => generation.id) };
    },
    async stop() {
      const output = worker.output();
      await worker.stop();
      await simulatorServer.close();
      return secrets.filter((secret) => output.includes(secret));
    },
  };
}

/**
 * Real tokens for `apiKey`'s user, obtained by the official SDK client through discovery, dynamic
 * registration, PKCE, the consent form and the code exchange. A token is for the endpoint it was
 * asked for (`/mcp` for `streamable-http`, `/sse` for `sse`) and works only there.
 */
export async function tokensThroughOAuth(
  stack: Stack,
  apiKey: string,
  kind: 'streamable-http' | 'sse' = 'streamable-http',
): Promise<{ accessToken: string; refreshToken?: string }> {
  const { client, provider } = await connectWithOAuth(stack.worker.origin, kind, apiKey);
  await client.close();
  const tokens = provider.tokens();
  if (!tokens?.access_token) throw new Error('the OAuth flow produced no access token');
  stack.secrets.push(tokens.access_token, ...(tokens.refresh_token ? [tokens.refresh_token] : []));
  return { accessToken: tokens.access_token, refreshToken: tokens.refresh_token };
}
