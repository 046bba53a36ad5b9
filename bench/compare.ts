/**
 * Paired latency comparison: the floor, the baseline Worker, this checkout's Worker and any number
 * of other checkouts of it (e.g. copies with a candidate fix), measured in one run, interleaved in
 * rounds, on warm /mcp sessions. For trying a change to src/ before proposing it: the difference
 * between two products in the same run is far more trustworthy than between two runs.
 *
 *   node bench/compare.ts [--product-root DIR]... [--calls 150] [--rounds 10] [--no-self]
 *
 * A product root is a checkout with node_modules (a symlink to this one's is enough). Prints, per
 * series: p50/p90/p99/mean, the split before/after Luma, an MCP ping, and a repeat delete.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startWorker, type RunningWorker } from '../test/e2e/helpers/wrangler-dev.ts';
import { baselineSessions, productSessions, signIn } from './lib/sessions.ts';
import { startSimulatorThread } from './lib/simulator-thread.ts';
import { clock, summarise } from './lib/stats.ts';
import { floorDeleter, IdPool, openMcpDeleter, type Deleter } from './lib/targets.ts';

const ROOT = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    'product-root': { type: 'string', multiple: true, default: [] },
    calls: { type: 'string', default: '150' },
    rounds: { type: 'string', default: '10' },
    'delay-ms': { type: 'string', default: '50' },
    'no-self': { type: 'boolean', default: false },
  },
});
const calls = Number(args.calls);
const rounds = Number(args.rounds);
const roots = [...(args['no-self'] ? [] : [ROOT]), ...args['product-root'].map((root) => resolve(root))];

const sim = await startSimulatorThread({ delayMs: Number(args['delay-ms']) });
const workers: RunningWorker[] = [];
try {
  const names = ['floor', 'baseline', ...roots.map((root, index) => `product ${index}${root === ROOT ? ' (this checkout)' : ` (${root})`}`)];
  const pools = new Map<string, IdPool>();
  for (const [index, name] of names.entries()) pools.set(name, new IdPool(name, await sim.addAccount(`compare-${index}`, calls + 50)));
  const baseline = await startWorker({ LUMA_API_BASE_URL: sim.url, BASELINE_LUMA_KEY: 'compare-1' }, { config: 'bench/baseline/wrangler.toml' });
  workers.push(baseline);
  const deleters = new Map<string, Deleter>([
    ['floor', floorDeleter(sim.url, 'compare-0')],
    ['baseline', await openMcpDeleter(baselineSessions(baseline.origin, 'streamable-http'))],
  ]);
  for (const [index, root] of roots.entries()) {
    const { startWorker: start } = (await import(resolve(root, 'test/e2e/helpers/wrangler-dev.ts'))) as { startWorker: typeof startWorker };
    const worker = await start({ LUMA_API_BASE_URL: sim.url });
    workers.push(worker);
    const key = `compare-${index + 2}`;
    deleters.set(names[index + 2]!, await openMcpDeleter(productSessions(worker.origin, 'streamable-http', key, await signIn(worker.origin, key))));
  }

  const deleted = new Map<string, string[]>(names.map((name) => [name, []]));
  for (const name of names) {
    for (let index = 0; index < 10; index++) {
      const id = pools.get(name)!.take();
      await deleters.get(name)!.delete(id);
      deleted.get(name)!.push(id);
    }
  }
  await sim.timings(true);
  const samples = new Map<string, { id: string; start: number; end: number }[]>(names.map((name) => [name, []]));
  const pings = new Map<string, number[]>(names.map((name) => [name, []]));
  const repeats = new Map<string, number[]>(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const name of names.map((_, index) => names[(index + round) % names.length]!)) {
      const deleter = deleters.get(name)!;
      for (let index = 0; index < Math.ceil(calls / rounds); index++) {
        const id = pools.get(name)!.take();
        const start = clock();
        await deleter.delete(id);
        samples.get(name)!.push({ id, start, end: clock() });
      }
      if (name === 'floor') continue;
      for (let index = 0; index < 5; index++) {
        const start = clock();
        await deleter.ping!();
        pings.get(name)!.push(clock() - start);
      }
      if (name === 'baseline') continue;
      for (let index = 0; index < 5; index++) {
        const start = clock();
        await deleter.delete(deleted.get(name)![index]!);
        repeats.get(name)!.push(clock() - start);
      }
    }
  }
  const hops = new Map((await sim.timings(true)).map((hop) => [hop.path.split('/').pop()!, hop]));
  console.log(`${calls} warm deletes per series over /mcp, ${rounds} interleaved rounds; ms`);
  for (const name of names) {
    const list = samples.get(name)!;
    const total = summarise(list.map((sample) => sample.end - sample.start));
    const before = summarise(list.map((sample) => hops.get(sample.id)!.arrive - sample.start));
    const after = summarise(list.map((sample) => sample.end - hops.get(sample.id)!.leave));
    const extra = [
      pings.get(name)!.length ? `ping ${summarise(pings.get(name)!).p50}` : '',
      repeats.get(name)!.length ? `repeat ${summarise(repeats.get(name)!).p50}` : '',
    ].filter(Boolean);
    console.log(
      `${name}\n  p50 ${total.p50}  p90 ${total.p90}  p99 ${total.p99}  mean ${total.mean} | before Luma p50 ${before.p50} | after Luma p50 ${after.p50}${extra.length ? ` | ${extra.join(' | ')}` : ''}`,
    );
  }
  for (const deleter of deleters.values()) await deleter.close();
} finally {
  await Promise.all(workers.map((worker) => worker.stop()));
  await sim.close();
}
