import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, redact, runProcess } from './helpers/run-process.ts';
import { startStack, tokensThroughOAuth, type Stack } from './helpers/stack.ts';

/**
 * The official MCP Inspector's CLI (@modelcontextprotocol/inspector-cli, the `--cli` mode of the
 * Inspector) against the Worker under wrangler dev, over Streamable HTTP (`/mcp`) and SSE
 * (`/sse`), with a bearer token the Worker issued through its OAuth flow.
 */
const INSPECTOR = binPath('@modelcontextprotocol/inspector-cli/build/cli.js');
// inspector-cli 1.0.3 looks for its own package.json relative to the working directory (it only
// finds it when `../package.json` exists there), so it is run from its own build directory.
const INSPECTOR_CWD = binPath('@modelcontextprotocol/inspector-cli/build');

let stack: Stack;
/** One token per endpoint: each is a protected resource of its own. */
let tokens: { mcp: string; sse: string };
let ids: string[];
let apiKey: string;

beforeAll(async () => {
  stack = await startStack();
  ({ apiKey, ids } = await stack.account(3));
  tokens = {
    mcp: (await tokensThroughOAuth(stack, apiKey, 'streamable-http')).accessToken,
    sse: (await tokensThroughOAuth(stack, apiKey, 'sse')).accessToken,
  };
});

afterAll(async () => {
  const leaked = (await stack?.stop()) ?? [];
  expect(leaked, 'secrets in the Worker log').toEqual([]);
});

async function inspector(path: string, transport: 'http' | 'sse', args: string[], token: string | null = transport === 'sse' ? tokens.sse : tokens.mcp) {
  const result = await runProcess(
    process.execPath,
    [INSPECTOR, '--cli', `${stack.worker.origin}${path}`, '--transport', transport, ...args, ...(token ? ['--header', `Authorization: Bearer ${token}`] : [])],
    { timeoutMs: 60_000, cwd: INSPECTOR_CWD },
  );
  const output = redact(`exit ${result.code}\n${result.stdout}\n${result.stderr}`, stack.secrets);
  return { ...result, output };
}

describe.each([
  ['/mcp', 'http', 0],
  ['/sse', 'sse', 1],
] as const)('MCP Inspector CLI over %s', (path, transport, index) => {
  it('lists the tools, with delete_generation marked destructive', async () => {
    const run = await inspector(path, transport, ['--method', 'tools/list']);
    expect(run.code, run.output).toBe(0);
    const { tools } = JSON.parse(run.stdout) as { tools: { name: string; inputSchema: { required?: string[] }; annotations?: Record<string, unknown> }[] };
    const deleteTool = tools.find((tool) => tool.name === 'delete_generation');
    expect(deleteTool?.inputSchema.required).toEqual(['generation_id']);
    expect(deleteTool?.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
  });

  it('calls delete_generation, and the generation is gone at Luma', async () => {
    const id = ids[index]!;
    const run = await inspector(path, transport, ['--method', 'tools/call', '--tool-name', 'delete_generation', '--tool-arg', `generation_id=${id}`]);
    expect(run.code, run.output).toBe(0);
    const result = JSON.parse(run.stdout) as { isError?: boolean; structuredContent: Record<string, unknown> };
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ generation_id: id, outcome: 'deleted' });
    expect((await stack.simulator.account(apiKey)).deletedIds).toContain(id);
  });

  it('is refused without the token', async () => {
    const run = await inspector(path, transport, ['--method', 'tools/list'], null);
    expect(run.output).toMatch(/401|Unauthorized|Error POSTing|SSE error/i);
    expect(run.code).not.toBe(0);
    expect(run.stdout).not.toContain('delete_generation');
  });
});
