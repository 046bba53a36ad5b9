// `npm run deploy`: deploys the Worker in one command. wrangler creates the two KV namespaces itself
// (wrangler.toml gives them no id) and logs you in if needed; this script adds the two secrets the
// Worker refuses to run without, KEY_ENCRYPTION_SECRET and USER_ID_SECRET, when the Worker does not
// have them yet: 32 random bytes each, written to a private temporary file that only wrangler reads
// (`wrangler deploy --secrets-file`), never printed, and deleted afterwards. Existing secrets are
// kept (changing either would lock every user out of their stored key and deletes log).
//
//   npm run deploy                       # deploy, creating missing secrets
//   npm run deploy -- --dry-run          # build and check only: no account, no secrets
//   npm run deploy -- <any other wrangler deploy options>
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnWrangler } from './wrangler.ts';

export const REQUIRED_SECRETS = ['KEY_ENCRYPTION_SECRET', 'USER_ID_SECRET'] as const;

const args = process.argv.slice(2);
const dryRun = args.includes('--dry-run');

/** wrangler's output, captured (stdout) while its prompts and errors still reach the person (stderr). */
function wrangler(wranglerArgs: string[], capture: boolean): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnWrangler(wranglerArgs, { stdio: ['inherit', capture ? 'pipe' : 'inherit', 'inherit'] });
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk));
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), stdout }));
  });
}

/** The names of the Worker's secrets; none when the Worker has never been deployed. */
async function existingSecretNames(): Promise<string[] | undefined> {
  const { code, stdout } = await wrangler(['secret', 'list', '--format', 'json'], true);
  if (code !== 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(stdout.slice(stdout.indexOf('[')));
    return Array.isArray(parsed) ? parsed.map((entry: { name?: unknown }) => String(entry.name)) : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  if (dryRun) return (await wrangler(['deploy', ...args], false)).code;

  let names = await existingSecretNames();
  if (names === undefined) {
    // Most often: the Worker does not exist yet (first deploy). If it is something else (not logged
    // in, no network), wrangler said so above, and the deploy below stops at the same problem.
    console.log('No secrets found for this Worker (first deploy?).');
    names = [];
  }
  const missing = REQUIRED_SECRETS.filter((name) => !names.includes(name));
  if (missing.length === 0) {
    console.log(`Secrets ${REQUIRED_SECRETS.join(' and ')} are already set; keeping them.`);
    return (await wrangler(['deploy', ...args], false)).code;
  }

  const dir = mkdtempSync(join(tmpdir(), 'luma-mcp-deploy-'));
  try {
    const file = join(dir, 'secrets.json');
    const secrets = Object.fromEntries(missing.map((name) => [name, randomBytes(32).toString('base64url')]));
    writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
    console.log(`Creating ${missing.join(' and ')} (random, not shown) with this deploy.`);
    return (await wrangler(['deploy', '--secrets-file', file, ...args], false)).code;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
