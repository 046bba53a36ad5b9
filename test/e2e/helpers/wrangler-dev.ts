import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Runs the real Worker with `wrangler dev` on a free loopback port, with fresh local storage, its
 * secrets and the Luma base URL given on the command line. What a developer runs, minus the port.
 */
export interface RunningWorker {
  origin: string;
  /** wrangler's DevTools (inspector) port for this Worker, e.g. for CPU profiles. */
  inspectorPort: number;
  /** The process ID of `wrangler dev`, which leads the process group of everything it runs. */
  pid: number;
  /** Everything wrangler printed, for assertions about logs (e.g. that no key leaked). */
  output(): string;
  stop(): Promise<void>;
}

const ROOT = resolve(import.meta.dirname, '../../..');

export const TEST_SECRETS = {
  KEY_ENCRYPTION_SECRET: 'e2e-key-encryption-secret-0123456789abcdef',
  USER_ID_SECRET: 'e2e-user-id-secret-0123456789abcdef-012345',
};

/**
 * Every client of a test Worker comes from 127.0.0.1, so the per-address limits on registrations
 * and the consent page are raised here (the limits themselves are tested in-Worker, in
 * test/worker/auth/limits.test.ts). The limit on wrong Luma keys stays as deployed.
 */
const TEST_LIMITS = { RATE_LIMIT_REGISTRATIONS: '1000', RATE_LIMIT_CONSENT_PAGE: '1000' };

export interface StartWorkerOptions {
  /** Another wrangler config to run (e.g. the benchmark's baseline Worker); default: the product's. */
  config?: string;
  /** Restarting a Worker (the soak): the same port and local storage as before; the caller removes the folder. */
  port?: number;
  persistTo?: string;
}

/**
 * Starts `wrangler dev`. Free ports are found by binding and releasing them; when many test files
 * start Workers at once another socket can take one in between, and wrangler exits with "Address
 * already in use". That says nothing about the code under test, so the start is tried again on
 * fresh ports (twice at most); any other failure is thrown at once.
 */
export async function startWorker(vars: Record<string, string>, options: StartWorkerOptions = {}): Promise<RunningWorker> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startWorkerOnce(vars, options);
    } catch (error) {
      const portRace = error instanceof Error && /Address already in use|EADDRINUSE/.test(error.message);
      if (!portRace || attempt >= 3) throw error;
    }
  }
}

async function startWorkerOnce(vars: Record<string, string>, options: StartWorkerOptions): Promise<RunningWorker> {
  const port = options.port ?? (await freePort());
  const inspectorPort = await freePort();
  const persistTo = options.persistTo ?? mkdtempSync(join(tmpdir(), 'luma-mcp-e2e-'));
  const args = [
    join(ROOT, 'node_modules/wrangler/bin/wrangler.js'),
    'dev',
    ...(options.config ? ['--config', resolve(ROOT, options.config)] : []),
    '--ip', '127.0.0.1',
    '--port', String(port),
    '--inspector-port', String(inspectorPort),
    '--persist-to', persistTo,
    '--show-interactive-dev-session=false',
    ...Object.entries({ ...TEST_SECRETS, ...TEST_LIMITS, ...vars }).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));

  const origin = `http://127.0.0.1:${port}`;
  const worker: RunningWorker = {
    origin,
    inspectorPort,
    pid: child.pid!,
    output: () => output,
    stop: async () => {
      await stopProcessGroup(child);
      if (!options.persistTo) rmSync(persistTo, { recursive: true, force: true });
    },
  };
  try {
    await waitUntilReady(origin, child, () => output);
  } catch (error) {
    await worker.stop();
    throw error;
  }
  return worker;
}

async function waitUntilReady(origin: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${output()}`);
    try {
      const response = await fetch(`${origin}/`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`wrangler dev did not become ready in time:\n${output()}`);
}

/** SIGTERM to the child's whole process group, SIGKILL if it has not exited 5 s later. */
export async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 5_000);
  await exited;
  clearTimeout(timer);
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}
