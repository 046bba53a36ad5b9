import { Worker } from 'node:worker_threads';
import type { FaultRule, RecordedRequest } from '../../simulator/luma-simulator.ts';
import type { HopTiming, ThreadRequest } from './simulator-thread.worker.ts';

export type { HopTiming };

/** The Luma simulator (simulator/), served from its own thread; see simulator-thread.worker.ts. */
export interface SimulatorThread {
  url: string;
  addAccount(apiKey: string, generations: number): Promise<string[]>;
  generationIds(apiKey: string): Promise<string[]>;
  /** What the simulator actually deleted for the key, in order: the ground truth of the soak. */
  deletedIds(apiKey: string): Promise<string[]>;
  injectFault(rule: FaultRule): Promise<void>;
  clearFaults(): Promise<void>;
  setDelay(ms: number): Promise<void>;
  /** Arrival and departure of every API request since the last `clear`. */
  timings(clear?: boolean): Promise<HopTiming[]>;
  requests(filter?: { apiKey?: string; method?: string }): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

export async function startSimulatorThread(options: { delayMs: number; seed?: number }): Promise<SimulatorThread> {
  const worker = new Worker(new URL('./simulator-thread.worker.ts', import.meta.url), { workerData: options });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let next = 0;
  const url = await new Promise<string>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (message: { ready?: string; id?: number; ok?: boolean; value?: unknown; error?: string }) => {
      if (message.ready) return resolve(message.ready);
      const waiter = pending.get(message.id!);
      if (!waiter) return;
      pending.delete(message.id!);
      if (message.ok) waiter.resolve(message.value);
      else waiter.reject(new Error(`simulator: ${message.error}`));
    });
  });
  const call = <T>(request: ThreadRequest) =>
    new Promise<T>((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, request });
    });
  let closed: Promise<void> | undefined;
  return {
    url,
    addAccount: (apiKey, generations) => call({ op: 'addAccount', apiKey, generations }),
    generationIds: (apiKey) => call({ op: 'generationIds', apiKey }),
    deletedIds: (apiKey) => call({ op: 'deletedIds', apiKey }),
    injectFault: (rule) => call({ op: 'injectFault', rule }),
    clearFaults: () => call({ op: 'clearFaults' }),
    setDelay: (ms) => call({ op: 'setDelay', ms }),
    timings: (clear = true) => call({ op: 'timings', clear }),
    requests: (filter = {}) => call({ op: 'requests', ...filter }),
    close() {
      closed ??= call<null>({ op: 'close' })
        .catch(() => null)
        .then(() => worker.terminate())
        .then(() => undefined);
      return closed;
    },
  };
}
