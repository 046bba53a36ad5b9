import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/deno-binary.ts';
import { checkPortability } from './helpers/core-imports.ts';

/**
 * The core (tools, ID validation, Luma client, error mapping) must run on any Web-standard runtime:
 * nothing from `cloudflare:*`, `agents`, `node:*`, Durable Objects or the Deno namespace, in it or
 * in anything it imports. The Worker and the Deno entry point supply storage through interfaces.
 */
describe('the core is portable', () => {
  it('src/core, and everything it imports, uses Web-standard APIs only', () => {
    const report = checkPortability(ROOT, ['src/core']);
    expect(report.problems).toEqual([]);
    // Not vacuous: the tools, the account contract, the client and the MCP adapters were all read.
    expect(report.scanned).toEqual(
      expect.arrayContaining(['src/core/account/user-account.ts', 'src/core/tools/tool-result.ts', 'src/core/luma/generation-id.ts', 'src/core/luma/luma-client.ts']),
    );
    // …and nothing outside the core: it stands on its own.
    expect(report.scanned.filter((file) => !file.startsWith('src/core/'))).toEqual([]);
  });

  it('so is the self-hosted server, apart from the files that start it on Deno and keep its data in Deno KV', () => {
    const deno = new Set(['src/deno/main.ts', 'src/deno/luma-fetch.ts', 'src/deno/deno-kv-store.ts']);
    const portable = ['server.ts', 'config.ts', 'bearer-auth.ts', 'origin-policy.ts', 'mcp-sessions.ts', 'session-server.ts', 'single-user-context.ts', 'memory-deletes-log.ts'];
    const report = checkPortability(ROOT, portable.map((file) => `src/deno/${file}`));
    expect(report.problems).toEqual([]);
    expect(report.scanned.filter((file) => deno.has(file))).toEqual([]);
    // …and the check does see what makes those two Deno-only.
    expect(checkPortability(ROOT, [...deno]).problems).toEqual(expect.arrayContaining([
        expect.stringMatching(/^src\/deno\/luma-fetch\.ts:\d+: uses Deno/),
        expect.stringMatching(/^src\/deno\/main\.ts:\d+: uses Deno/),
        expect.stringMatching(/^src\/deno\/deno-kv-store\.ts:\d+: uses Deno/),
      ]),
    );
  });

  it('the Worker and Deno both stand on the core, and neither imports the other', () => {
    const worker = checkPortability(ROOT, ['src/worker']).scanned;
    const deno = checkPortability(ROOT, ['src/deno']).scanned;
    expect(worker.filter((file) => file.startsWith('src/deno/'))).toEqual([]);
    expect(deno.filter((file) => file.startsWith('src/worker/'))).toEqual([]);
    expect(worker.some((file) => file.startsWith('src/core/'))).toBe(true);
    expect(deno.some((file) => file.startsWith('src/core/'))).toBe(true);
  });
});

describe('the portability check', () => {
  const fixture = mkdtempSync(join(tmpdir(), 'core-imports-'));
  afterAll(() => rmSync(fixture, { recursive: true, force: true }));
  const write = (files: Record<string, string>) => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(fixture, path)), { recursive: true });
      writeFileSync(join(fixture, path), text);
    }
  };

  it('fails on every way a module can tie the core to one runtime, directly or through an import', () => {
    write({
      'tools/a.ts': "import { b } from './b.ts';\nimport { e } from '../elsewhere/e.ts';\nexport const a = b + e;\n",
      'tools/b.ts': "import { DurableObject } from 'cloudflare:workers';\nexport const b = 1;\n",
      'elsewhere/e.ts': "import { randomUUID } from 'node:crypto';\nexport const e = 2;\n",
      'luma/c.ts': [
        "import type { McpAgent } from 'agents/mcp';",
        "import { readFileSync } from 'fs';",
        "export type Store = import('@cloudflare/workers-oauth-provider').OAuthHelpers;",
        'export function f(kv: KVNamespace, state: DurableObjectState) {',
        "  return Deno.env.get('X') ?? process.env.Y;",
        '}',
        "export const g = () => import('@modelcontextprotocol/sdk/server/stdio.js');",
        "export { serve } from 'hono/deno';",
        '',
      ].join('\n'),
      'luma/d.ts': '/// <reference types="@cloudflare/workers-types" />\nexport const d = 1;\n',
    });
    const { problems, scanned } = checkPortability(fixture, ['tools', 'luma']);
    expect(scanned).toContain('elsewhere/e.ts');
    const summary = problems.map((problem) => problem.replace(/ — .*$/, ''));
    expect(summary).toEqual(
      expect.arrayContaining([
        'tools/b.ts:1: imports "cloudflare:workers"',
        'tools/b.ts:1: uses DurableObject',
        'elsewhere/e.ts:1: imports "node:crypto"',
        'luma/c.ts:1: imports "agents/mcp"',
        'luma/c.ts:2: imports "fs"',
        'luma/c.ts:3: imports "@cloudflare/workers-oauth-provider"',
        'luma/c.ts:4: uses KVNamespace',
        'luma/c.ts:4: uses DurableObjectState',
        'luma/c.ts:5: uses Deno',
        'luma/c.ts:5: uses process',
        'luma/c.ts:7: imports "@modelcontextprotocol/sdk/server/stdio.js"',
        'luma/c.ts:8: imports "hono/deno"',
        'luma/d.ts: references types "@cloudflare/workers-types"',
      ]),
    );
    expect(summary).toHaveLength(13);
  });

  it('passes portable code, and is not fooled by names in comments, strings or properties', () => {
    write({
      'ok/ok.ts': [
        "import { z } from 'zod';",
        "import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';",
        '// Runs in a Durable Object (DurableObject, KVNamespace) or on Deno; see node:fs.',
        "const options = { process: 'node:fs', Deno: 1 };",
        "export const shape = z.object({ id: z.string() }).describe('cloudflare:workers');",
        'export const read = (server: McpServer) => [options.process, options.Deno, server];',
        '',
      ].join('\n'),
    });
    expect(checkPortability(fixture, ['ok'])).toEqual({ scanned: ['ok/ok.ts'], problems: [] });
  });

  it('fails when there is nothing to check', () => {
    expect(checkPortability(fixture, ['nowhere']).problems).toEqual(['no TypeScript files under nowhere']);
  });
});
