import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback reverse proxy for clients that cannot do OAuth themselves (the conformance suite
 * sends no Authorization header). It adds a real bearer token, obtained through the Worker's own
 * OAuth flow, and rewrites `Host` to the Worker's, because the token is bound to the origin it was
 * issued for. Everything else (method, path, body, other headers including `Origin`, streamed
 * responses) passes through untouched, so what the Worker judges is what the client sent.
 */
export interface AuthProxy {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  /** Method, path and Origin of every request that went through, for assertions. */
  seen: { method: string; path: string; origin: string | undefined; status: number }[];
  close(): Promise<void>;
}

export async function startAuthProxy(target: string, accessToken: string): Promise<AuthProxy> {
  const upstream = new URL(target);
  if (upstream.hostname !== '127.0.0.1' && upstream.hostname !== 'localhost') throw new Error('the proxy forwards to loopback only');
  const seen: AuthProxy['seen'] = [];

  const server: Server = createServer((req, res) => {
    const entry = { method: req.method ?? 'GET', path: req.url ?? '/', origin: header(req, 'origin'), status: 0 };
    seen.push(entry);
    const headers = { ...req.headers, host: upstream.host, authorization: `Bearer ${accessToken}` };
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (answer) => {
        entry.status = answer.statusCode ?? 0;
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        res.flushHeaders(); // SSE: the client must see the headers before the first event
        answer.pipe(res);
      },
    );
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    // A client that hangs up (e.g. closing an SSE stream) ends the upstream request too.
    res.on('close', () => forward.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
