/**
 * `startWorker` (test/e2e/helpers/wrangler-dev.ts) picks free ports by binding and releasing them,
 * then hands them to `wrangler dev`. When many test files start Workers at once, another socket can
 * take such a port in between, and wrangler exits with "Address already in use" (seen with the
 * inspector port, its `direct:1:default` socket). That says nothing about the code under test, so
 * the start is tried again on fresh ports; any other failure is thrown at once.
 */
export async function retryOnPortRace<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      const portRace = error instanceof Error && /Address already in use|EADDRINUSE/.test(error.message);
      if (!portRace || attempt >= attempts) throw error;
    }
  }
}
