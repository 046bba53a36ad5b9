import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(import.meta.dirname, '../..');

export interface BundleSize {
  files: { name: string; bytes: number; gzip_bytes: number }[];
  bytes: number;
  gzip_bytes: number;
  /** What wrangler itself printed ("Total Upload: … / gzip: …"), for comparison. */
  wrangler_reported?: string;
}

/**
 * The deployable bundle as `wrangler deploy --dry-run --outdir` writes it (offline: nothing is
 * uploaded), gzipped here file by file. Source maps are left out: they are not uploaded.
 */
export async function measureBundle(root = ROOT): Promise<BundleSize> {
  const outdir = mkdtempSync(join(tmpdir(), 'luma-mcp-bundle-'));
  try {
    const output = await run(root, [join(ROOT, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', outdir]);
    const files = readdirSync(outdir, { recursive: true, encoding: 'utf8' })
      .filter((name) => statSync(join(outdir, name)).isFile() && !name.endsWith('.map') && !name.endsWith('README.md'))
      .sort()
      .map((name) => {
        const content = readFileSync(join(outdir, name));
        return { name, bytes: content.length, gzip_bytes: gzipSync(content, { level: 9 }).length };
      });
    const reported = /Total Upload:[^\n]*/.exec(output)?.[0]?.trim();
    return {
      files,
      bytes: files.reduce((sum, file) => sum + file.bytes, 0),
      gzip_bytes: files.reduce((sum, file) => sum + file.gzip_bytes, 0),
      ...(reported ? { wrangler_reported: reported } : {}),
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function run(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, {
      cwd,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', CI: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolvePromise(output) : reject(new Error(`wrangler deploy --dry-run failed (${code}):\n${output}`))));
  });
}
