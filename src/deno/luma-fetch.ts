/**
 * The `fetch` the Deno server gives the Luma client: one fresh connection per request.
 *
 * Deno's own fetch quietly sends a request a second time when a pooled keep-alive connection fails
 * before the answer arrives (denoland/deno#35610; since #36415 only for pooled connections). For
 * a DELETE that Luma carried out just before the connection broke, the second copy gets a 404, and
 * the Luma client, which never saw the first attempt fail, would report "not found" for a
 * generation this very call deleted, and leave it out of the deletes log. Without pooling, the
 * lost answer reaches the client as an error, and its own retry logic reports `gone_after_retry`.
 * The price is a new (TLS) connection per Luma request, which a person-paced tool can afford.
 * test/deno/deno-fetch.test.ts shows both behaviours.
 */
export interface LumaFetch {
  fetch: typeof fetch;
  /** Releases the HTTP client. */
  close(): void;
}

export function createLumaFetch(): LumaFetch {
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  return {
    fetch: (input, init) => fetch(input, { ...init, client }),
    close: () => client.close(),
  };
}
