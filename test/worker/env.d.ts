// The in-Worker tests see the Worker's own bindings as `env` from `cloudflare:workers`.
import type { Env as WorkerEnv } from '../../src/worker/env.ts';

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {}
  }
}
