import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { MemoryOAuthProvider } from '../../../scripts/memory-oauth-provider.ts';

/**
 * The app's side of a browser sign-in: a loopback callback that the consent page redirects to
 * (it only records what arrived, and shows a page without the code on it, for screenshots), and
 * an SDK OAuth provider whose redirect URI is that callback.
 */
export interface CallbackServer {
  url: string;
  received: URL[];
  /** Resolves with the next redirect that arrives. */
  next(timeoutMs?: number): Promise<URL>;
  close(): Promise<void>;
}

export async function startCallbackServer(): Promise<CallbackServer> {
  const received: URL[] = [];
  const waiters: ((url: URL) => void)[] = [];
  let origin = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname !== '/callback') {
      res.writeHead(404).end();
      return;
    }
    received.push(url);
    waiters.shift()?.(url);
    const outcome = url.searchParams.has('code') ? 'approved: the app received an authorization code' : `not approved (${url.searchParams.get('error') ?? 'no answer'})`;
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>Back in the app</title><body style="font:18px system-ui;padding:40px"><h1>Back in the app</h1><p>Sign-in ${outcome}.</p></body>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/callback`,
    received,
    next(timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no redirect reached the app in time')), timeoutMs);
        waiters.push((url) => {
          clearTimeout(timer);
          resolve(url);
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export class BrowserFlowProvider extends MemoryOAuthProvider {
  /** Sent as `state`; the consent page must hand it back unchanged on approve and on deny. */
  readonly stateValue = crypto.randomUUID();

  constructor(callback: string, clientName = 'Browser test client') {
    super(clientName, callback);
  }

  state(): string {
    return this.stateValue;
  }
}

/** Discovery, registration and PKCE by the SDK; returns the URL the app would open in a browser. */
export async function beginSignIn(workerOrigin: string, callback: string): Promise<{ provider: BrowserFlowProvider; authorizationUrl: URL }> {
  const provider = new BrowserFlowProvider(callback);
  const result = await auth(provider, { serverUrl: new URL('/mcp', workerOrigin) });
  if (result !== 'REDIRECT' || !provider.authorizationUrl) throw new Error(`expected a browser redirect, got ${result}`);
  return { provider, authorizationUrl: provider.authorizationUrl };
}
