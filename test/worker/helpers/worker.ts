import { exports } from 'cloudflare:workers';
import { inject } from 'vitest';
import { SimulatorControl } from '../../support/simulator-control.ts';

/** The origin the in-Worker tests address the Worker at (any loopback origin works). */
export const ORIGIN = 'http://localhost:8787';

/**
 * Sends a request to the Worker under test, as if from outside. Cloudflare always says who is
 * asking (`CF-Connecting-IP`); unless a test names an address, each request comes from a fresh
 * one, so that the per-address limits only meet the tests written for them (limits.test.ts).
 */
export function workerFetch(input: string | Request, init?: RequestInit): Promise<Response> {
  const request = typeof input === 'string' ? new Request(new URL(input, ORIGIN), init) : new Request(input, init);
  if (!request.headers.has('CF-Connecting-IP')) request.headers.set('CF-Connecting-IP', randomTestAddress());
  return (exports as unknown as { default: Fetcher }).default.fetch(request);
}

function randomTestAddress(): string {
  const [a, b] = crypto.getRandomValues(new Uint8Array(2));
  return `2001:db8:${a!.toString(16)}:${b!.toString(16)}::1`;
}

export const simulator = new SimulatorControl(inject('lumaSimulatorUrl'));
