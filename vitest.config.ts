import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

/**
 * Two kinds of tests, one command:
 * - `workers`: run inside workerd with the Worker's own bindings (tools, key store, OAuth wiring, core).
 *   A Luma simulator started in Node (test/setup/simulator.global-setup.ts) is their upstream.
 * - `node`: the simulator's own tests, and end-to-end tests that start `wrangler dev` and drive it
 *   with the official MCP SDK client through the whole OAuth flow.
 */
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                LUMA_API_BASE_URL: inject<string>('lumaSimulatorUrl'),
                // Fast, bounded retries so the failure matrix runs in seconds.
                LUMA_TIMEOUT_MS: '500',
                LUMA_MAX_RETRIES: '2',
                LUMA_RETRY_BASE_DELAY_MS: '10',
                KEY_ENCRYPTION_SECRET: 'test-key-encryption-secret-0123456789abcdef',
                USER_ID_SECRET: 'test-user-id-secret-0123456789abcdef-0123',
              },
            },
          })),
        ],
        test: {
          name: 'workers',
          include: ['test/worker/**/*.test.ts', 'test/core/**/*.test.ts'],
          globalSetup: ['test/setup/simulator.global-setup.ts'],
        },
      },
      {
        test: {
          name: 'node',
          environment: 'node',
          // test/deno/*.test.ts, not deeper: test/deno/in-deno/ is for `deno test` (test/deno/run-deno-tests.ts).
          include: ['test/simulator/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/clients/**/*.test.ts', 'test/deno/*.test.ts', 'test/first-run/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
