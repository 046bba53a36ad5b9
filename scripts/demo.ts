// `npm run demo`: the whole product offline. Starts the Luma simulator with the demo accounts and
// `wrangler dev` pointed at it, then says which key and IDs to use.
//
// Every run starts from clean local state: the simulator starts with all demo generations, so the
// Worker's storage (tokens, keys, deletes logs) is wiped too, in its own folder (.wrangler/demo-state),
// apart from `npm start`'s. Otherwise a generation deleted in the last run would be listed by the
// simulator and answered "already deleted" by the log.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { demoAccounts, describeDemoAccounts, DEMO_KEY_ALICE } from '../simulator/demo-accounts.ts';
import { startLumaSimulator } from '../simulator/node-server.ts';
import { spawnWrangler } from './wrangler.ts';

const SIMULATOR_PORT = Number(process.env.LUMA_SIMULATOR_PORT ?? 8788);
const PORT = Number(process.env.DEMO_PORT ?? 8787);
const root = fileURLToPath(new URL('..', import.meta.url));
// DEMO_STATE_DIR: another folder for it (the tests use one per run, so they never wipe a running demo's).
const STATE = process.env.DEMO_STATE_DIR ?? fileURLToPath(new URL('../.wrangler/demo-state', import.meta.url));

rmSync(STATE, { recursive: true, force: true });
const simulator = await startLumaSimulator({ port: SIMULATOR_PORT, accounts: demoAccounts });
const wrangler = spawnWrangler(
  ['dev', '--port', String(PORT), '--persist-to', STATE, '--show-interactive-dev-session=false', '--var', `LUMA_API_BASE_URL:${simulator.url}`],
  { cwd: root, stdio: ['inherit', 'pipe', 'inherit'] },
);

let announced = false;
wrangler.stdout!.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk);
  if (!announced && chunk.toString().includes('Ready on')) {
    announced = true;
    announce();
  }
});

function announce() {
  const server = `http://localhost:${PORT}`;
  const firstId = simulator.simulator.generations(DEMO_KEY_ALICE)[0]!.id;
  const portArgs = PORT === 8787 ? '' : ` --url ${server}/mcp`;
  const lines = [
    '',
    '──────────────── Luma MCP demo (offline) ────────────────',
    `MCP server:      ${server}/mcp   (legacy SSE: ${server}/sse)`,
    `Luma simulator:  ${simulator.url}`,
    '',
    'Demo API keys and their generations:',
  ];
  lines.push(...describeDemoAccounts(simulator.simulator));
  lines.push(
    '',
    'Try it from another terminal (connects through OAuth, lists, deletes):',
    `  npm run try -- --key ${DEMO_KEY_ALICE} --delete ${firstId}${portArgs}`,
    `Or with your browser on the consent page:  npm run try${portArgs ? ` --${portArgs}` : ''}`,
    `Or any MCP client at ${server}/mcp: paste a demo key on the consent page. About this server: ${server}/`,
    '',
    'Each `npm run demo` starts fresh: all generations back, no tokens, an empty deletes log. Ctrl+C stops everything.',
    '',
  );
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
