// Runs the project's wrangler with the quiet, offline-clean settings every npm script wants:
// no telemetry (and no telemetry notice, which `send_metrics = false` alone does not stop), and no
// fetch of the `Request.cf` placeholder from workers.cloudflare.com (which offline prints a
// getaddrinfo stack trace twice). `node scripts/wrangler.ts <wrangler args…>`.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const WRANGLER = fileURLToPath(new URL('../node_modules/wrangler/bin/wrangler.js', import.meta.url));

export function quietWranglerEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };
}

/** Spawns wrangler with the project's Node and the quiet environment. */
export function spawnWrangler(args: string[], options: SpawnOptions = {}): ChildProcess {
  return spawn(process.execPath, [WRANGLER, ...args], {
    stdio: 'inherit',
    ...options,
    env: quietWranglerEnv(options.env ?? process.env),
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const child = spawnWrangler(process.argv.slice(2));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
