/**
 * The Luma simulator in a worker thread of its own, so that its timers (the fixed 50 ms delay) are
 * not held up by the benchmark client's work on the main thread. It answers the main thread's
 * requests (see simulator-thread.ts) and records, for every API request, when it arrived and when
 * its answer left, on the clock both threads share (timeOrigin + now), for the per-hop breakdown.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { makeGenerations, type FaultRule, type RecordedRequest } from '../../simulator/luma-simulator.ts';
import { startLumaSimulator } from '../../simulator/node-server.ts';

export interface HopTiming {
  method: string;
  path: string;
  arrive: number;
  leave: number;
  outcome: string;
}

export type ThreadRequest =
  | { op: 'addAccount'; apiKey: string; generations: number }
  | { op: 'deletedIds'; apiKey: string }
  | { op: 'generationIds'; apiKey: string }
  | { op: 'injectFault'; rule: FaultRule }
  | { op: 'clearFaults' }
  | { op: 'setDelay'; ms: number }
  | { op: 'timings'; clear: boolean }
  | { op: 'requests'; apiKey?: string; method?: string }
  | { op: 'close' };

const { delayMs, seed } = workerData as { delayMs: number; seed?: number };
const running = await startLumaSimulator({ port: 0, delayMs, seed });
const { simulator } = running;
const clock = () => performance.timeOrigin + performance.now();

let timings: HopTiming[] = [];
const handle = simulator.handle.bind(simulator);
simulator.handle = async (request: Request) => {
  const arrive = clock();
  const { pathname } = new URL(request.url);
  let outcome = 'error';
  try {
    const response = await handle(request);
    outcome = String(response.status);
    return response;
  } catch (error) {
    outcome = error instanceof Error ? error.name : 'error';
    throw error;
  } finally {
    if (!pathname.startsWith('/__simulator')) timings.push({ method: request.method, path: pathname, arrive, leave: clock(), outcome });
  }
};

function answer(request: ThreadRequest): unknown {
  switch (request.op) {
    case 'addAccount':
    {
      // The factory makes at most 1,000 at a time; a benchmark needs more.
      const generations = [];
      for (let left = request.generations; left > 0; left -= 1000) generations.push(...makeGenerations(Math.min(1000, left)));
      simulator.addAccount(request.apiKey, { generations });
    }
      return simulator.generations(request.apiKey).map((generation) => generation.id);
    case 'generationIds':
      return simulator.generations(request.apiKey).map((generation) => generation.id);
    case 'deletedIds':
      return simulator.deletedIds(request.apiKey);
    case 'injectFault':
      simulator.injectFault(request.rule);
      return null;
    case 'clearFaults':
      simulator.clearFaults();
      return null;
    case 'setDelay':
      simulator.setDelay(request.ms);
      return null;
    case 'timings': {
      const taken = timings;
      if (request.clear) timings = [];
      return taken;
    }
    case 'requests':
      return simulator.requests({ apiKey: request.apiKey, method: request.method }) satisfies RecordedRequest[];
    case 'close':
      return running.close().then(() => null);
  }
}

parentPort!.on('message', async ({ id, request }: { id: number; request: ThreadRequest }) => {
  try {
    parentPort!.postMessage({ id, ok: true, value: await answer(request) });
    if (request.op === 'close') parentPort!.close();
  } catch (error) {
    parentPort!.postMessage({ id, ok: false, error: error instanceof Error ? error.message : String(error) });
  }
});
parentPort!.postMessage({ ready: running.url });
