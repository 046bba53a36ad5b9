import type { FaultRule, RecordedRequest, SimulatedGeneration } from '../../simulator/luma-simulator.ts';

/**
 * Drives a running Luma simulator through its control API, from any runtime (the in-Worker tests
 * reach the Node-hosted simulator over loopback). Each test makes its own account with a unique
 * key, and scopes faults to that key, so tests sharing one simulator cannot disturb each other.
 */
export type SimGeneration = SimulatedGeneration;
export type SimRequest = RecordedRequest;
export type SimFault = FaultRule;

export class SimulatorControl {
  readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** A fresh account with `generations` seeded generations and a random key. */
  async createAccount(generations = 3, options: { forbidden?: boolean; refuseDeleteBodies?: boolean | 400 | 411 | 413 | 415 } = {}): Promise<{ apiKey: string; generations: SimGeneration[] }> {
    const apiKey = `luma-test-${crypto.randomUUID()}`;
    const body = await this.call<{ generations: SimGeneration[] }>('POST', '/__simulator/accounts', { apiKey, generations, ...options });
    return { apiKey, generations: body.generations };
  }

  async account(apiKey: string): Promise<{ generations: SimGeneration[]; deletedIds: string[] }> {
    return this.call('GET', `/__simulator/accounts/${encodeURIComponent(apiKey)}`);
  }

  async injectFault(fault: SimFault): Promise<void> {
    await this.call('POST', '/__simulator/faults', fault);
  }

  /** Every request the simulator received with this key, in order. */
  async requestsFor(apiKey: string): Promise<SimRequest[]> {
    const all = await this.call<SimRequest[] | { requests: SimRequest[] }>('GET', '/__simulator/requests');
    const list = Array.isArray(all) ? all : all.requests;
    return list.filter((request) => request.apiKey === apiKey);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`simulator ${method} ${path}: HTTP ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
