import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEMO_KEY_ALICE, DEMO_KEY_BOB, demoAccounts } from '../../simulator/demo-accounts.ts';
import { LumaSimulator } from '../../simulator/luma-simulator.ts';
import type { SimulatedGeneration } from '../../simulator/luma-simulator.ts';
import { UUID_V4 } from './helpers.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
// The project pins Node 22 (which runs .ts directly) as a dev dependency; prefer it to whatever ran vitest.
const PINNED_NODE = `${REPO_ROOT}node_modules/.bin/node`;
const NODE = existsSync(PINNED_NODE) ? PINNED_NODE : process.execPath;

describe('demo accounts', () => {
  const all = Object.values(demoAccounts).flatMap((account) => account.generations as SimulatedGeneration[]);

  it('has alice and bob with five generations each, under fixed, unique v4 UUIDs', () => {
    expect(Object.keys(demoAccounts)).toEqual(['luma-demo-key-alice', 'luma-demo-key-bob']);
    expect([DEMO_KEY_ALICE, DEMO_KEY_BOB]).toEqual(Object.keys(demoAccounts));
    for (const account of Object.values(demoAccounts)) expect(account.generations).toHaveLength(5);
    expect(all.every((generation) => UUID_V4.test(generation.id))).toBe(true);
    expect(new Set(all.map((generation) => generation.id)).size).toBe(10);
    expect(all[0]!.id).toBe('8e27d4a1-5c93-4f6b-a0d8-1b3e5f7c9a26');
  });

  it('varies types, states and models, and keeps assets on an unresolvable host', () => {
    expect(new Set(all.map((generation) => generation.generation_type)).size).toBeGreaterThanOrEqual(4);
    expect(new Set(all.map((generation) => generation.state))).toEqual(new Set(['queued', 'dreaming', 'completed', 'failed']));
    for (const model of ['ray-2', 'ray-flash-2', 'photon-1']) expect(all.some((generation) => generation.model === model)).toBe(true);
    const urls = all.flatMap((generation) => Object.values(generation.assets ?? {}));
    expect(urls.length).toBeGreaterThan(0);
    expect(urls.every((url) => url.startsWith('https://storage.example.invalid/'))).toBe(true);
  });

  it('is served unchanged, newest first, and survives a simulator deleting from it', async () => {
    const first = new LumaSimulator({ accounts: demoAccounts });
    const ids = first.generations(DEMO_KEY_ALICE).map((generation) => generation.id);
    const times = first.generations(DEMO_KEY_ALICE).map((generation) => Date.parse(generation.created_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const response = await first.handle(new Request(`http://sim.test/generations/${ids[0]}`, { method: 'DELETE', headers: { Authorization: `Bearer ${DEMO_KEY_ALICE}` } }));
    expect(response.status).toBe(204);
    expect(new LumaSimulator({ accounts: demoAccounts }).generations(DEMO_KEY_ALICE).map((generation) => generation.id)).toEqual(ids);
  });
});

describe('cli.ts', () => {
  it('prints the URL, the demo keys and IDs, serves them, and exits cleanly on SIGTERM', async () => {
    const child = spawn(NODE, ['simulator/cli.ts', '--port', '0'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      let output = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`cli did not start: ${output}`)), 10_000);
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          output += chunk;
          if (output.includes('Ctrl+C')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.on('exit', () => reject(new Error(`cli exited early: ${output}`)));
      });

      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      expect(url).toBeDefined();
      expect(output).toContain(DEMO_KEY_ALICE);
      expect(output).toContain(DEMO_KEY_BOB);
      for (const generation of (demoAccounts[DEMO_KEY_BOB]!.generations as SimulatedGeneration[])) expect(output).toContain(generation.id);
      expect(output).toContain('Time-lapse of a sourdough loaf');
      expect(output).toContain('/__simulator');

      const response = await fetch(`${url}/generations?limit=2`, { headers: { Authorization: `Bearer ${DEMO_KEY_BOB}` } });
      expect(await response.json()).toMatchObject({ count: 2, has_more: true });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('refuses a bad --port with exit code 1', async () => {
    const child = spawn(NODE, ['simulator/cli.ts', '--port', 'eighty'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
    expect(code).toBe(1);
    expect(stderr).toContain('--port');
  });
});
