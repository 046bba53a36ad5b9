import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../../..');

/** A bin of the project's own devDependencies, run with the project's Node. */
export function binPath(relativeToNodeModules: string): string {
  return resolve(ROOT, 'node_modules', relativeToNodeModules);
}

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs a command to completion, or kills its whole process group after `timeoutMs`. Node is put
 * first on PATH so that tools which spawn `node` themselves use the project's Node 22.
 */
export function runProcess(
  command: string,
  args: string[],
  options: { timeoutMs: number; env?: Record<string, string | undefined>; cwd?: string },
): Promise<ProcessResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: { ...nodeFirstEnv(), NO_COLOR: '1', FORCE_COLOR: '0', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, timedOut });
    });
  });
}

export function nodeFirstEnv(): Record<string, string | undefined> {
  return { ...process.env, PATH: `${resolve(process.execPath, '..')}:${resolve(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}` };
}

export function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Replaces every secret in `text`, for failure messages that quote a tool's output. */
export function redact(text: string, secrets: (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('[redacted]');
  return out;
}
