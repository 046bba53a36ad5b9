/**
 * Deno entry point: the same MCP tools as the Worker, for one person, over Streamable HTTP at
 * /mcp, protected by a bearer token. Everything but reading the environment, listening and the
 * fetch for Luma (luma-fetch.ts) lives in Web-standard modules (server.ts and what it imports).
 *
 *   LUMA_API_KEY=… MCP_BEARER_TOKEN=… DENO_KV_PATH=./luma-mcp.kv deno run --config src/deno/deno.json --allow-net --allow-env --allow-read --allow-write src/deno/main.ts
 *   (or `npm run start:deno`)
 */
import { readSelfHostedConfig } from './config.ts';
import { openDenoKvStorage } from './deno-kv-store.ts';
import { createLumaFetch } from './luma-fetch.ts';
import { createSelfHostedServer, MCP_PATH } from './server.ts';

const read = readSelfHostedConfig((name) => Deno.env.get(name));
if (!read.ok) {
  console.error(`Not starting: ${read.problems.join('; ')}.\nSee "Self-hosting on Deno" in the README.`);
  Deno.exit(1);
}
const { config } = read;
const luma = createLumaFetch();
// The log, open delete intents and preference outlive the process: in DENO_KV_PATH (a file), or
// where Deno keeps KV by default (on Deno Deploy: the project's KV).
const storage = await openDenoKvStorage(Deno.env.get('DENO_KV_PATH') || undefined, config.retention);
const app = await createSelfHostedServer(config, { lumaFetch: luma.fetch, storage });

const server = Deno.serve(
  {
    port: config.port,
    hostname: config.hostname,
    onListen({ hostname, port }) {
      const host = hostname.includes(':') ? `[${hostname}]` : hostname;
      console.log(`Luma MCP server (single user, bearer token) listening on http://${host}:${port}${MCP_PATH}`);
    },
  },
  (request) => app.fetch(request),
);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await app.close();
  await server.shutdown();
  luma.close();
  storage.close();
  Deno.exit(0);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  try {
    Deno.addSignalListener(signal, () => void stop());
  } catch {
    // A host without signal listeners stops the process itself; there is nothing to clean up that outlives it.
  }
}
