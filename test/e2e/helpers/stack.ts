import { afterAll, beforeAll, expect } from 'vitest';
import { startLumaSimulator } from '../../../simulator/node-server.ts';
import { SimulatorControl } from '../../support/simulator-control.ts';
import { startWorker, type RunningWorker } from './wrangler-dev.ts';

export interface Stack {
  readonly simulator: SimulatorControl;
  readonly worker: RunningWorker;
  /** Luma keys the file used: when it ends, the Worker's output must not contain any of them. */
  readonly keysUsed: string[];
}

/**
 * For a test file: the Luma simulator, and `wrangler dev` pointed at it with quick, bounded
 * retries, started before the file's tests and stopped after them; then the Worker's logs are
 * checked for every Luma key the file noted in `keysUsed`.
 */
export function useStack(): Stack {
  let simulatorServer: Awaited<ReturnType<typeof startLumaSimulator>> | undefined;
  let simulator: SimulatorControl | undefined;
  let worker: RunningWorker | undefined;
  const keysUsed: string[] = [];
  beforeAll(async () => {
    simulatorServer = await startLumaSimulator({ port: 0 });
    simulator = new SimulatorControl(simulatorServer.url);
    worker = await startWorker({ LUMA_API_BASE_URL: simulatorServer.url, LUMA_TIMEOUT_MS: '1000', LUMA_RETRY_BASE_DELAY_MS: '20' });
  });
  afterAll(async () => {
    const output = worker?.output() ?? '';
    await worker?.stop();
    await simulatorServer?.close();
    for (const key of keysUsed) expect(output).not.toContain(key);
  });
  return {
    keysUsed,
    get simulator() {
      if (!simulator) throw new Error('the stack has not started');
      return simulator;
    },
    get worker() {
      if (!worker) throw new Error('the stack has not started');
      return worker;
    },
  };
}
