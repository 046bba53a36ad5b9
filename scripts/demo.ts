// `npm run demo`: the whole product offline. Starts the Luma simulator with the demo accounts and
// `wrangler dev` pointed at it, then says which key and IDs to use.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { demoAccounts, describeDemoAccounts } from '../simulator/demo-accounts.ts';
import { startLumaSimulator } from '../simulator/node-server.ts';

const SIMULATOR_PORT = Number(process.env.LUMA_SIMULATOR_PORT ?? 8788);
const root = fileURLToPath(new URL('..', import.meta.url));

const simulator = await startLumaSimulator({ port: SIMULATOR_PORT, accounts: demoAccounts });
const wrangler = spawn(
  process.execPath,
  ['node_modules/wrangler/bin/wrangler.js', 'dev', '--var', `LUMA_API_BASE_URL:${simulator.url}`],
  { cwd: root, stdio: ['inherit', 'pipe', 'inherit'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
);

let announced = false;
wrangler.stdout.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk);
  if (!announced && chunk.toString().includes('Ready on')) {
    announced = true;
    announce();
  }
});

function announce() {
  const lines = [
    '',
    '──────────────── Luma MCP demo (offline) ────────────────',
    `Luma simulator:  ${simulator.url}`,
    'MCP server:      http://localhost:8787/mcp   (legacy SSE: http://localhost:8787/sse)',
    '',
    'Connect a client, e.g.  npx @modelcontextprotocol/inspector  (Streamable HTTP, URL above),',
    'and paste one of these demo API keys on the consent page:',
  ];
  lines.push(...describeDemoAccounts(simulator.simulator));
  lines.push('', 'Then ask the assistant to delete one of these IDs. Ctrl+C stops everything.', '');
  console.log(lines.join('\n'));
}

const stop = async () => {
  wrangler.kill('SIGTERM');
  await simulator.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
wrangler.on('exit', async (code) => {
  await simulator.close();
  process.exit(code ?? 0);
});
