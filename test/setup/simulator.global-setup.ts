import type { TestProject } from 'vitest/node';
import { startLumaSimulator } from '../../simulator/node-server.ts';

/**
 * Starts one Luma simulator on loopback for the in-Worker tests. Tests drive it over its control
 * API (`/__simulator/…`), so each test seeds its own accounts with unique keys and stays independent.
 */
export default async function setup(project: TestProject) {
  const simulator = await startLumaSimulator({ port: 0 });
  project.provide('lumaSimulatorUrl', simulator.url);
  return async () => {
    await simulator.close();
  };
}
