import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runProcess } from '../clients/helpers/run-process.ts';
import { alarmingLines, type Started } from './helpers.ts';
import { stopProcessGroup } from '../e2e/helpers/wrangler-dev.ts';

/**
 * Every shell block in the README runs as written, on a fresh copy of the repository, as a person
 * would run it: each `sh` block is preceded by a marker saying how it is checked.
 *
 *   <!-- readme-test: run -->                          runs to completion (bash -e) and must exit 0
 *   <!-- readme-test: background until "text" -->      starts, must print `text`, and keeps running
 *                                                      (for the blocks after it) until the next
 *                                                      background block or the end
 *   <!-- readme-test: skip: why -->                    not run, with the reason in the README itself
 *
 * A shell block without a marker fails the test, so the README cannot gain an unchecked command.
 */
interface Block {
  line: number;
  code: string;
  mode: { kind: 'run' } | { kind: 'background'; until: string } | { kind: 'skip'; reason: string };
}

const SHELL_FENCE = /^```(sh|bash|shell|zsh|console)\s*$/;
const MARKER = /^<!-- readme-test: (run|skip: (.+)|background until "(.+)") -->$/;

function readmeBlocks(readme: string): { blocks: Block[]; unmarked: number[] } {
  const lines = readme.split('\n');
  const blocks: Block[] = [];
  const unmarked: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!SHELL_FENCE.test(lines[i]!)) {
      if (lines[i]!.startsWith('```')) i = lines.indexOf('```', i + 1); // skip other fenced blocks whole
      if (i < 0) break;
      continue;
    }
    const end = lines.indexOf('```', i + 1);
    const code = lines.slice(i + 1, end).join('\n');
    const marker = MARKER.exec(lines[i - 1] ?? '');
    if (!marker) unmarked.push(i + 1);
    else if (marker[1] === 'run') blocks.push({ line: i + 1, code, mode: { kind: 'run' } });
    else if (marker[2] !== undefined) blocks.push({ line: i + 1, code, mode: { kind: 'skip', reason: marker[2] } });
    else blocks.push({ line: i + 1, code, mode: { kind: 'background', until: marker[3]! } });
    i = end;
  }
  return { blocks, unmarked };
}

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const scratch = mkdtempSync(join(tmpdir(), 'luma-mcp-readme-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The repository as a fresh clone would have it: tracked and new files, none of the ignored ones. */
async function freshCopy(): Promise<string> {
  const listed = await runProcess('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { timeoutMs: 30_000 });
  expect(listed.code, listed.stderr).toBe(0);
  const copy = join(scratch, 'repo');
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    const from = join(ROOT, file);
    if (!existsSync(from) || !statSync(from).isFile()) continue; // deleted in the work tree
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    copyFileSync(from, join(copy, file));
  }
  return copy;
}

/**
 * A person's terminal: their PATH (without this project's node_modules/.bin, so `npm` and `node`
 * are the system's), and none of what npm, vitest or CI put in this process's environment
 * (set to undefined, which spawn leaves out, so that runProcess's own defaults cannot bring them back).
 */
function terminalEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(npm_|INIT_CWD$|NODE$|NODE_ENV$|NODE_OPTIONS$|TEST$|VITEST|CI$|WRANGLER_SEND_METRICS$|CLOUDFLARE_CF_FETCH_ENABLED$)/.test(name)) env[name] = undefined;
  }
  env.PATH = (process.env.PATH ?? '').split(':').filter((entry) => entry && !entry.includes('node_modules')).join(':');
  env.XDG_CONFIG_HOME = join(scratch, 'config'); // a fresh wrangler home, as on a new machine
  env.NO_COLOR = '1';
  return env;
}

function startBlock(code: string, cwd: string, env: NodeJS.ProcessEnv): Started {
  const child = spawn('bash', ['-e', '-c', code], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return {
    child,
    output: () => output,
    waitFor: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        const poll = setInterval(() => {
          if (pattern.test(output)) resolve();
          else if (child.exitCode !== null || child.signalCode !== null) reject(new Error(`exited (${child.exitCode ?? child.signalCode}) first`));
          else if (Date.now() > deadline) reject(new Error(`not within ${timeoutMs / 1000} s`));
          else return;
          clearInterval(poll);
        }, 200);
      }),
    stop: () => stopProcessGroup(child),
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('README shell blocks', () => {
  it('each has a marker saying how it is checked', () => {
    const { blocks, unmarked } = readmeBlocks(README);
    expect(unmarked, 'README lines of shell blocks without a <!-- readme-test: … --> marker').toEqual([]);
    expect(blocks.filter((block) => block.mode.kind !== 'skip').length).toBeGreaterThanOrEqual(5);
    for (const block of blocks) if (block.mode.kind === 'skip') expect(block.mode.reason.length).toBeGreaterThan(10);
  });

  it('run as written on a fresh copy, in order, offline apart from npm install', async () => {
    const { blocks } = readmeBlocks(README);
    const cwd = await freshCopy();
    const env = terminalEnv();
    const failures: string[] = [];
    let background: Started | undefined;
    try {
      for (const block of blocks) {
        const where = `README line ${block.line}:\n${block.code}\n`;
        // `npm install` may fetch from the registry; everything else is offline and quick.
        const timeoutMs = /npm install/.test(block.code) ? 300_000 : 120_000;
        if (block.mode.kind === 'skip') continue;
        if (block.mode.kind === 'run') {
          const result = await runProcess('bash', ['-e', '-c', block.code], { cwd, env, timeoutMs });
          const output = result.stdout + result.stderr;
          if (result.timedOut || result.code !== 0) failures.push(`${where}→ ${result.timedOut ? 'timed out' : `exit ${result.code}`}\n${output}`);
          else if (alarmingLines(output).length > 0) failures.push(`${where}→ alarming output:\n${alarmingLines(output).join('\n')}`);
          continue;
        }
        await background?.stop();
        background = startBlock(block.code, cwd, env);
        try {
          await background.waitFor(new RegExp(escapeRegExp(block.mode.until)), timeoutMs);
          if (alarmingLines(background.output()).length > 0) failures.push(`${where}→ alarming output:\n${alarmingLines(background.output()).join('\n')}`);
        } catch (error) {
          failures.push(`${where}→ never printed "${block.mode.until}": ${(error as Error).message}\n${background.output()}`);
        }
      }
    } finally {
      await background?.stop();
    }
    expect(failures.join('\n────────\n')).toBe('');
  }, 900_000);
});
