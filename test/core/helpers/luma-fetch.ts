/**
 * The `fetch` the core tests give the Luma client: what the deployment on each runtime gives it.
 * In workerd that is the runtime's own (`undefined` lets the client use the global fetch). Under
 * Deno, src/deno/deno.json maps this module to test/deno/shim/luma-fetch.ts, the fetch the Deno server
 * uses (src/deno/luma-fetch.ts), because Deno's default fetch hides dropped connections.
 */
export const lumaFetch: typeof fetch | undefined = undefined;
