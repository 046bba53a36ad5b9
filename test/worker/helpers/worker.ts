import { exports } from 'cloudflare:workers';
import { inject } from 'vitest';
import { SimulatorControl } from '../../support/simulator-control.ts';

/** The origin the in-Worker tests address the Worker at (any loopback origin works). */
export const ORIGIN = 'http://localhost:8787';

/** Sends a request to the Worker under test, as if from outside. */
export function workerFetch(input: string | Request, init?: RequestInit): Promise<Response> {
  const request = typeof input === 'string' ? new Request(new URL(input, ORIGIN), init) : new Request(input, init);
  return (exports as unknown as { default: Fetcher }).default.fetch(request);
}

export const simulator = new SimulatorControl(inject('lumaSimulatorUrl'));
