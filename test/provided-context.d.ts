// Values the global setup hands to tests (see test/setup/simulator.global-setup.ts).
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    lumaSimulatorUrl: string;
  }
}
