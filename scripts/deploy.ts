// `npm run deploy`: deploys the Worker in one command.
//
// 1. `wrangler deploy`: logs you in if needed, creates the two KV namespaces (wrangler.toml gives
//    them no id) and uploads the Worker.
// 2. Adds the two secrets the Worker refuses to run without, KEY_ENCRYPTION_SECRET and
//    USER_ID_SECRET, if the Worker does not have them yet: 32 random bytes each, handed to
//    `wrangler secret bulk` on its standard input (never in a file, never printed). Existing secrets
//    are kept: changing either would lock every user out of their stored key and deletes log.
//    On a first deploy the Worker answers 503 ("not configured") for the seconds in between.
//
//   npm run deploy                       # deploy, then create missing secrets
//   npm run deploy -- --dry-run          # build and check only: no account, no secrets
//   npm run deploy -- <any other wrangler deploy options>
import { randomBytes } from 'node:crypto';
import { spawnWrangler } from './wrangler.ts';

const REQUIRED_SECRETS = ['KEY_ENCRYPTION_SECRET', 'USER_ID_SECRET'] as const;

const args = process.argv.slice(2);

function wrangler(wranglerArgs: string[], options: { captureStdout?: boolean; stdin?: string } = {}): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnWrangler(wranglerArgs, {
      stdio: [options.stdin === undefined ? 'inherit' : 'pipe', options.captureStdout ? 'pipe' : 'inherit', 'inherit'],
    });
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk));
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), stdout }));
    if (options.stdin !== undefined) child.stdin!.end(options.stdin);
  });
}

async function main(): Promise<number> {
  const deployed = await wrangler(['deploy', ...args]);
  if (deployed.code !== 0 || args.includes('--dry-run')) return deployed.code;

  const listed = await wrangler(['secret', 'list', '--format', 'json'], { captureStdout: true });
  let names: string[];
  try {
    if (listed.code !== 0) throw new Error(`exit ${listed.code}`);
    const parsed = JSON.parse(listed.stdout.slice(listed.stdout.indexOf('['))) as { name: string }[];
    names = parsed.map((entry) => entry.name);
  } catch {
    console.error('Deployed, but could not list the Worker\'s secrets (see above). Run `npm run deploy` again.');
    return 1;
  }

  const missing = REQUIRED_SECRETS.filter((name) => !names.includes(name));
  if (missing.length === 0) {
    console.log(`${REQUIRED_SECRETS.join(' and ')} are set; kept as they are.`);
    return 0;
  }
  console.log(`Creating ${missing.join(' and ')} (random, not shown).`);
  const secrets = JSON.stringify(Object.fromEntries(missing.map((name) => [name, randomBytes(32).toString('base64url')])));
  const created = await wrangler(['secret', 'bulk'], { stdin: secrets });
  if (created.code !== 0) console.error('Creating the secrets failed (see above). Run `npm run deploy` again: it only creates missing ones.');
  return created.code;
}

process.exitCode = await main();
