/** Under Deno, the core tests' Luma client uses the Deno server's fetch (see test/core/helpers/luma-fetch.ts). */
import { createLumaFetch } from '../../../src/deno/luma-fetch.ts';

export const lumaFetch: typeof fetch | undefined = createLumaFetch().fetch;
