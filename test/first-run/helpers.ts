import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT, nodeFirstEnv } from '../clients/helpers/run-process.ts';
import { stopProcessGroup } from '../e2e/helpers/wrangler-dev.ts';

/** A long-running command a person starts from the README (`npm start`, `npm run demo`), in its own process group. */
export interface Started {
  child: ChildProcess;
  output(): string;
  /** Resolves once `pattern` appears in the output; rejects on exit or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export function start(command: string, args: string[], env: Record<string, string> = {}): Started {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: personEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return {
    child,
    output: () => output,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        const poll = setInterval(() => {
          if (pattern.test(output)) {
            clearInterval(poll);
            resolve();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            clearInterval(poll);
            reject(new Error(`exited before ${pattern}:\n${output}`));
          } else if (Date.now() > deadline) {
            clearInterval(poll);
            reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`));
          }
        }, 100);
      });
    },
    stop: () => stopProcessGroup(child),
  };
}

/**
 * The environment of a person's terminal: the project's Node first on PATH, no colours, and none
 * of vitest's or CI's variables (NODE_ENV=test, for one, makes miniflare skip the network lookup these
 * tests must prove is gone, and .ci/run turns wrangler's telemetry off for everything it runs).
 */
const UNSET = /^(NODE_ENV|TEST|VITEST.*|WRANGLER_SEND_METRICS|CLOUDFLARE_CF_FETCH_ENABLED|CI)$/;

export function personEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...nodeFirstEnv(), NO_COLOR: '1', FORCE_COLOR: '0', ...extra };
  for (const name of Object.keys(env)) if (UNSET.test(name) && !(name in extra)) env[name] = undefined; // spawn leaves these out
  return env;
}

/**
 * Lines of a start log that read as failure to a person: errors, stack frames, failed lookups, and
 * the warnings this project has silenced (telemetry notice, CIMD, the Request.cf fetch).
 */
export function alarmingLines(log: string): string[] {
  return log
    .split('\n')
    .filter((line) =>
      /ERROR|Error:|^\s+at \S.*[:(]\d+:\d+\)?$|ENOTFOUND|getaddrinfo|EBADENGINE|telemetry|CIMD|Unable to fetch|Uncaught|unhandled/i.test(line),
    );
}
