/**
 * The Deno side of the tests: `node test/deno/run-deno-tests.ts` (`npm run test:deno`).
 *
 * 1. `deno check` of the Deno entry point and of the tests, in one pass (faster than `deno test`
 *    checking its own graph after a separate check of the entry point, which no test imports).
 * 2. `deno test` of the core tests (test/core, the very files vitest runs in workerd; src/deno/deno.json maps
 *    `vitest` to test/deno/shim/vitest.ts) and of the self-hosted server (test/deno/in-deno).
 *
 * Node starts the Luma simulator first, as vitest's global setup does for workerd, because its
 * Node adapter can drop a connection for real (the client's retry tests need that). Deno gets
 * network access to loopback only, and the environment (for the simulator's URL): the code under
 * test needs no more.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLumaSimulator } from '../../simulator/node-server.ts';
import { DENO, DENO_COMMON_FLAGS, ROOT } from './helpers/deno-binary.ts';

async function deno(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  let output = '';
  const child = spawn(DENO, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    process.stdout.write(chunk);
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

const TESTS = ['test/core/', 'test/deno/in-deno/'];

const check = await deno(['check', ...DENO_COMMON_FLAGS, 'src/deno/main.ts', ...TESTS]);
if (check.code !== 0) process.exit(check.code ?? 1);

const simulator = await startLumaSimulator({ port: 0 });
// Deno KV files for the storage tests, in a folder of their own: Deno may read and write there only.
const kvDir = mkdtempSync(join(tmpdir(), 'luma-mcp-deno-kv-'));
const run = await deno(['test', ...DENO_COMMON_FLAGS, '--no-check', '--allow-net=127.0.0.1', '--allow-env', `--allow-read=${kvDir}`, `--allow-write=${kvDir}`, ...TESTS], {
  LUMA_SIMULATOR_URL: simulator.url,
  DENO_KV_TEST_DIR: kvDir,
}).finally(async () => {
  await simulator.close();
  rmSync(kvDir, { recursive: true, force: true });
});

// A shim that registered nothing would "pass" with zero tests: that must not count as a pass.
const summary = run.output.replace(/\x1b\[[0-9;]*m/g, '').match(/(\d+) passed \| (\d+) failed/);
if (run.code === 0 && (!summary || Number(summary[1]) === 0)) {
  console.error('run-deno-tests: deno test ran no tests');
  process.exit(1);
}
process.exit(run.code ?? 1);
