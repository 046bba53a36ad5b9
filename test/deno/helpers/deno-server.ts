import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopProcessGroup } from '../../e2e/helpers/wrangler-dev.ts';
import { DENO, DENO_COMMON_FLAGS, ROOT } from './deno-binary.ts';

/**
 * Runs the Deno entry point (src/deno/main.ts) as a self-hoster would, with `npm run start:deno`'s
 * flags, on a port the system picks (PORT=0; the port is read from the line it prints).
 */
export const DENO_RUN_ARGS = ['run', ...DENO_COMMON_FLAGS, '--allow-net', '--allow-env', '--allow-read', '--allow-write', 'src/deno/main.ts'];

export interface RunningDenoServer {
  origin: string;
  /** Everything the process printed, for checking that no secret was. */
  output(): string;
  stop(): Promise<void>;
}

/** A fresh Deno KV file for one server (its log, intents and preference), unless the test names one. */
export function freshKvPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'luma-mcp-deno-e2e-'));
  kvDirs.push(dir);
  return join(dir, 'store.kv');
}

// Removed when the test process ends (a server may still hold its file until then).
const kvDirs: string[] = [];
process.once('exit', () => {
  for (const dir of kvDirs) rmSync(dir, { recursive: true, force: true });
});

export function spawnDeno(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(DENO, DENO_RUN_ARGS, {
    cwd: ROOT,
    // Only what the server needs, plus PATH/HOME for Deno itself: nothing else from the test's environment.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', DENO_KV_PATH: freshKvPath(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return { child, output: () => output };
}

export async function startDenoServer(env: Record<string, string>): Promise<RunningDenoServer> {
  const { child, output } = spawnDeno({ HOST: '127.0.0.1', PORT: '0', ...env });
  const server: RunningDenoServer = { origin: '', output, stop: () => stopProcessGroup(child) };
  try {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const listening = output().match(/listening on (http:\/\/[^/\s]+)\/mcp/);
      if (listening) return { ...server, origin: listening[1]! };
      if (child.exitCode !== null) throw new Error(`the Deno server exited early:\n${output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the Deno server did not start in time:\n${output()}`);
  } catch (error) {
    await server.stop();
    throw error;
  }
}

