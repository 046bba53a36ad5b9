/**
 * Serves a LumaSimulator over real HTTP from Node, on loopback only. It translates node:http to
 * the simulator's Request/Response, turns a drop fault into a destroyed socket (so clients see a
 * genuine network error), and tells the simulator when a client hangs up mid-request.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DroppedConnection, LumaSimulator } from './luma-simulator.ts';
import type { LumaSimulatorOptions } from './luma-simulator.ts';
import { errorResponse } from './responses.ts';

export interface StartLumaSimulatorOptions extends LumaSimulatorOptions {
  /** 0 (the default) picks any free port. */
  port?: number;
  /** Must be a loopback address; default '127.0.0.1'. */
  host?: string;
  /** Serve this simulator instead of making one from the other options. */
  simulator?: LumaSimulator;
}

export interface RunningLumaSimulator {
  /** Base URL to configure the Luma client with, e.g. http://127.0.0.1:8788 (no trailing slash). */
  url: string;
  port: number;
  simulator: LumaSimulator;
  /** Stops listening and destroys every open connection, including keep-alive and in-flight ones. */
  close(): Promise<void>;
}

const LOOPBACK_HOST = /^(127(\.\d{1,3}){3}|::1|localhost)$/;

export async function startLumaSimulator(options: StartLumaSimulatorOptions = {}): Promise<RunningLumaSimulator> {
  const { port = 0, host = '127.0.0.1', simulator: given, ...simulatorOptions } = options;
  if (!LOOPBACK_HOST.test(host)) throw new Error(`The Luma simulator only listens on loopback, not on ${host}`);
  if (given && Object.values(simulatorOptions).some((value) => value !== undefined)) {
    throw new Error('Pass either a simulator or options to build one (accounts, delayMs, seed), not both');
  }
  const simulator = given ?? new LumaSimulator(simulatorOptions);

  let origin = '';
  const server = createServer((req, res) => {
    serve(simulator, origin, req, res).catch((error: unknown) => {
      console.error('Luma simulator: could not answer a request', error);
      res.destroy();
    });
  });
  await listen(server, port, host);
  const address = server.address() as AddressInfo;
  origin = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  let closing: Promise<void> | undefined;
  return {
    url: origin,
    port: address.port,
    simulator,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // server.close() alone waits for busy and keep-alive connections, which would hang a test run.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function serve(simulator: LumaSimulator, origin: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const hangUp = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) hangUp.abort();
  });

  let request: Request;
  try {
    request = await toRequest(req, origin, hangUp.signal);
  } catch {
    if (!res.destroyed) await writeResponse(res, errorResponse(400, 'Bad Request'));
    return;
  }

  let response: Response;
  try {
    response = await simulator.handle(request);
  } catch (error) {
    if (error instanceof DroppedConnection) {
      req.socket.destroy();
      return;
    }
    if (hangUp.signal.aborted) return; // The client is gone; there is no one to answer.
    console.error('Luma simulator: unexpected error', error);
    response = errorResponse(500, 'Simulator error');
  }
  if (!res.destroyed) await writeResponse(res, response);
}

async function toRequest(req: IncomingMessage, origin: string, signal: AbortSignal): Promise<Request> {
  const target = req.url ?? '/';
  // Concatenating keeps origin-form targets such as "//x" as paths; WHATWG URL parsing then
  // resolves dot segments exactly as a Luma server behind a standard HTTP stack would see them.
  const url = target.startsWith('/') ? new URL(origin + target) : new URL(target);
  const headers = new Headers();
  for (let index = 0; index < req.rawHeaders.length; index += 2) {
    headers.append(req.rawHeaders[index]!, req.rawHeaders[index + 1]!);
  }
  let body: Uint8Array<ArrayBuffer> | undefined;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (chunks.length > 0) body = new Uint8Array(Buffer.concat(chunks));
  }
  return new Request(url, { method: req.method ?? 'GET', headers, body, signal });
}

async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => res.setHeader(name, value));
  // A 204 (Luma's delete answer) must go out with no body at all.
  const body = response.body === null ? undefined : Buffer.from(await response.arrayBuffer());
  res.end(body);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
