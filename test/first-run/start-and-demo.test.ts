import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_KEY_ALICE, demoAccounts } from '../../simulator/demo-accounts.ts';
import type { SimulatedGeneration } from '../../simulator/luma-simulator.ts';
import { runProcess } from '../clients/helpers/run-process.ts';
import { freePort } from '../e2e/helpers/wrangler-dev.ts';
import { alarmingLines, start } from './helpers.ts';

/**
 * The first minutes of a newcomer, as the README tells them: `npm start` and `npm run demo` start
 * quietly on a machine without internet (no ERROR, no stack trace, no lookup of Cloudflare hosts, no
 * misleading warning), and the demo agrees with itself on its second run: the same printed
 * generation is listed and deleted successfully both times, through `npm run try` (the official
 * SDK client through the real OAuth flow).
 */
const scratch = mkdtempSync(join(tmpdir(), 'luma-mcp-first-run-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const FIRST_ID = (demoAccounts[DEMO_KEY_ALICE]!.generations as SimulatedGeneration[])[0]!.id;

describe('npm start, offline', () => {
  it('starts, serves the landing page and a helpful 401, and logs nothing alarming', async () => {
    const port = await freePort();
    const server = start('npm', ['start', '--', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', join(scratch, 'start-state')], { XDG_CONFIG_HOME: join(scratch, 'config') });
    try {
      await server.waitFor(/Ready on/, 90_000);
      const origin = `http://127.0.0.1:${port}`;
      const landing = await fetch(`${origin}/`);
      expect(landing.status).toBe(200);
      expect(await landing.text()).toContain(`${origin}/mcp`);
      const refused = await fetch(`${origin}/mcp`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { how_to_authenticate: string }).how_to_authenticate).toContain('Luma API key');
      // Give anything late (a failed lookup, a module-load warning) time to print.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    } finally {
      await server.stop();
    }
    expect(alarmingLines(server.output()), server.output()).toEqual([]);
  }, 150_000);
});

describe('npm run demo', () => {
  async function demoRun(stateDir: string): Promise<{ log: string; tries: string[] }> {
    const [port, simulatorPort] = [await freePort(), await freePort()];
    const demo = start('npm', ['run', 'demo'], { DEMO_PORT: String(port), LUMA_SIMULATOR_PORT: String(simulatorPort), DEMO_STATE_DIR: stateDir, XDG_CONFIG_HOME: join(scratch, 'config') });
    const tries: string[] = [];
    try {
      await demo.waitFor(/Ctrl\+C stops everything/, 90_000);
      // The command the demo prints, as printed.
      const printed = /npm run try -- (--key \S+ --delete \S+ --url \S+)/.exec(demo.output());
      expect(printed, demo.output()).not.toBeNull();
      expect(printed![1]).toBe(`--key ${DEMO_KEY_ALICE} --delete ${FIRST_ID} --url http://localhost:${port}/mcp`);
      for (let attempt = 0; attempt < 2; attempt++) {
        const result = await runProcess('npm', ['run', 'try', '--', ...printed![1]!.split(' ')], { timeoutMs: 60_000 });
        expect(result.timedOut).toBe(false);
        tries.push(`${result.code}\n${result.stdout}${result.stderr}`);
      }
    } finally {
      await demo.stop();
    }
    return { log: demo.output(), tries };
  }

  it('twice in a row: the printed generation is listed and deleted both times; within a run, a repeat is already deleted', async () => {
    for (const run of [1, 2]) {
      const { log, tries } = await demoRun(join(scratch, 'demo-state'));
      const [first, repeat] = tries as [string, string];
      expect(first.startsWith('0\n'), `run ${run}: ${first}`).toBe(true);
      expect(first).toContain(`- ${FIRST_ID}`);
      // Exit 0 means every tool call succeeded (no isError), the delete included.
      expect(first).toMatch(new RegExp(`→ delete_generation .*${FIRST_ID}[^]*\\bdeleted\\b`, 'i'));
      expect(first).not.toMatch(/already.deleted/i);
      // Same run, second try: Luma (the simulator) no longer lists it, and the log answers the delete.
      expect(repeat.startsWith('0\n'), `run ${run}: ${repeat}`).toBe(true);
      expect(repeat).not.toContain(`- ${FIRST_ID}`);
      expect(repeat).toMatch(/already.deleted/i);
      expect(alarmingLines(log), log).toEqual([]);
    }
  }, 400_000);
});
