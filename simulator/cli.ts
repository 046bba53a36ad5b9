/**
 * Runs the Luma simulator with the demo accounts, for offline demos and manual testing:
 *   node simulator/cli.ts [--port 8788] [--delay-ms N]
 */
import { parseArgs } from 'node:util';
import { demoAccounts, describeDemoAccounts } from './demo-accounts.ts';
import { startLumaSimulator } from './node-server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8788' },
    'delay-ms': { type: 'string', default: '0' },
  },
});
const port = Number(values.port);
const delayMs = Number(values['delay-ms']);
if (!Number.isInteger(port) || port < 0 || port > 65_535) fail(`--port must be a port number, got ${values.port}`);
if (!Number.isFinite(delayMs) || delayMs < 0) fail(`--delay-ms must be a non-negative number, got ${values['delay-ms']}`);

const running = await startLumaSimulator({ port, accounts: demoAccounts, delayMs }).catch((error: unknown) =>
  fail(`Could not start the simulator: ${error instanceof Error ? error.message : String(error)}`),
);

const lines = [
  `Luma Dream Machine simulator listening on ${running.url}`,
  `  Use it as the Luma API base URL, e.g. LUMA_API_BASE_URL=${running.url}`,
];
if (delayMs > 0) lines.push(`  Every answer is delayed by ${delayMs} ms.`);
lines.push('', 'Demo API keys and their generations (newest first):');
lines.push(...describeDemoAccounts(running.simulator));
lines.push(
  '',
  `Control API (no key needed): GET ${running.url}/__simulator lists it. For example:`,
  `  curl ${running.url}/__simulator/requests`,
  `  curl -X POST ${running.url}/__simulator/faults -H 'Content-Type: application/json' -d '{"method":"DELETE","status":503}'`,
  `  curl -X POST ${running.url}/__simulator/reset`,
  '',
  'Press Ctrl+C to stop.',
);
console.log(lines.join('\n'));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void running.close().then(() => process.exit(0));
  });
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}
