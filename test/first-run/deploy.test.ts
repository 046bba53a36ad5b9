import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runProcess } from '../clients/helpers/run-process.ts';
import { personEnv } from './helpers.ts';

/**
 * `npm run deploy` in one command: the real wrangler.toml through `wrangler deploy --dry-run` (the
 * same script a person runs, which in a dry run needs no account and creates no secrets), and the
 * configuration the Deploy to Cloudflare button reads.
 */
// A fresh wrangler home, as on a new machine: wrangler shows its telemetry notice only once per version.
const outdir = mkdtempSync(join(tmpdir(), 'luma-mcp-dry-run-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('npm run deploy -- --dry-run', () => {
  it('bundles the real config: every binding, KV without ids, the README inside, no telemetry notice', async () => {
    const result = await runProcess('npm', ['run', 'deploy', '--', '--dry-run', '--outdir', join(outdir, 'bundle')], { timeoutMs: 120_000, env: personEnv({ XDG_CONFIG_HOME: join(outdir, 'config') }) });
    const output = result.stdout + result.stderr;
    expect(result.timedOut, output).toBe(false);
    expect(result.code, output).toBe(0);
    expect(output).toContain('--dry-run: exiting now.');
    for (const binding of ['env.MCP_OBJECT (LumaMcpAgent)', 'env.USER_STORE (UserStore)', 'env.OAUTH_KV', 'env.DELETES_CACHE', 'env.LUMA_API_BASE_URL']) {
      expect(output).toContain(binding);
    }
    expect(output).not.toMatch(/telemetry/i);
    expect(output).not.toMatch(/ERROR|\bat .+:\d+:\d+\)/);
    const files = readdirSync(join(outdir, 'bundle'));
    expect(files).toContain('index.js');
    // The README served at /README.md travels in the bundle as a text module.
    const readme = files.find((name) => name.endsWith('-README.md'));
    expect(readme).toBeDefined();
    expect(readFileSync(join(outdir, 'bundle', readme!), 'utf8')).toBe(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  });
});

describe('configuration for a first deploy', () => {
  const toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');

  it('gives KV namespaces no id, so wrangler provisions them', () => {
    const kvBlocks = toml.split('[[kv_namespaces]]').slice(1).map((block) => block.split(/\n\[/)[0]!);
    expect(kvBlocks).toHaveLength(2);
    for (const block of kvBlocks) expect(block).not.toMatch(/^\s*id\s*=/m);
  });

  it('names both secrets, empty, for the Deploy to Cloudflare button, with descriptions', () => {
    const example = readFileSync(join(ROOT, '.dev.vars.example'), 'utf8');
    const entries = example.split('\n').filter((line) => line && !line.startsWith('#'));
    expect(entries).toEqual(['KEY_ENCRYPTION_SECRET=', 'USER_ID_SECRET=']);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { cloudflare: { bindings: Record<string, { description: string }> } };
    expect(Object.keys(pkg.cloudflare.bindings)).toEqual(['KEY_ENCRYPTION_SECRET', 'USER_ID_SECRET']);
  });
});
