/**
 * `npm run bench`: latency, throughput and bundle size of the product, measured side by side with
 * a floor (the same DELETE straight to the Luma simulator) and a baseline Worker (the same tool code
 * with no OAuth, no key store and no log: a bare McpAgent for the 2025-era protocol, the SDK's
 * stateless `createMcpHandler` for MCP 2026-07-28), in one run, as ratios. The product is measured
 * in both eras: 2025-era sessions over `/mcp` and `/sse` (McpAgent, one Durable Object per session)
 * and 2026-07-28 requests over `/mcp` (served by the Worker itself). A ladder of hops in the baseline
 * Worker (Worker → Luma; Worker → object → Luma; stateless MCP → object → Luma) prices each hop.
 *
 * Everything runs on loopback: the simulator (its own thread, fixed delay on every answer), the
 * product and the baseline under `wrangler dev`, and the official MCP SDK client. Measurements are
 * interleaved in rounds (floor, baseline, product, …, then again in a rotated order) so that a
 * shared, noisy machine disturbs every series alike. Then, to find where the time goes: CPU time
 * per call of every process involved, and a CPU profile of each Worker's isolate.
 *
 * Writes bench/results.json, docs/benchmarks.md and docs/benchmarks.svg.
 *
 * Environment (all optional): BENCH_QUICK=1 (a short run), BENCH_DELAY_MS (50), BENCH_WARM (150
 * calls per series), BENCH_FRESH (30 sessions per series), BENCH_THROUGHPUT_MS (3000 per point),
 * BENCH_CONCURRENCY ("1,10,50"), BENCH_PROFILE=0 (no CPU profile), BENCH_NO_REPORT=1 (results.json
 * only), BENCH_OUT (results path), BENCH_PRODUCT_ROOT (benchmark another checkout's Worker, e.g. a
 * copy with a candidate fix).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { startWorker, type RunningWorker } from '../test/e2e/helpers/wrangler-dev.ts';
import { measureBundle, type BundleSize } from './lib/bundle.ts';
import { gitCommit } from './lib/commit.ts';
import { perCall, snapshot } from './lib/proc-cpu.ts';
import { profileWhile, sourceMapResolver, summariseProfile, type ProfileSummary } from './lib/profile.ts';
import { writeReport } from './lib/report.ts';
import type { InMemoryOAuthProvider } from '../test/e2e/helpers/mcp-oauth-client.ts';
import { baselineModernSessions, baselineSessions, productModernSessions, productSessions, signIn, type ModernSessionFactory, type SessionFactory } from './lib/sessions.ts';
import { startSimulatorThread, type HopTiming, type SimulatorThread } from './lib/simulator-thread.ts';
import { clock, LoadSampler, ratio, round, summarise, type Summary } from './lib/stats.ts';
import { floorDeleter, freshFloorDelete, hopDeleter, IdPool, openMcpDeleter, type Deleter } from './lib/targets.ts';

const ROOT = resolve(import.meta.dirname, '..');
const env = process.env;
const quick = env.BENCH_QUICK === '1';
const config = {
  delayMs: Number(env.BENCH_DELAY_MS ?? 50),
  warmCalls: Number(env.BENCH_WARM ?? (quick ? 50 : 150)),
  rounds: quick ? 5 : 10,
  freshSessions: Number(env.BENCH_FRESH ?? (quick ? 10 : 30)),
  throughputMs: Number(env.BENCH_THROUGHPUT_MS ?? (quick ? 1500 : 3000)),
  throughputWarmupMs: quick ? 500 : 1000,
  concurrency: (env.BENCH_CONCURRENCY ?? '1,10,50').split(',').map(Number),
  cpuCalls: quick ? 40 : 100,
  profileCalls: env.BENCH_PROFILE === '0' ? 0 : quick ? 40 : 120,
  users: 5,
  callTimeoutMs: 30_000,
};
const resultsPath = resolve(ROOT, env.BENCH_OUT ?? 'bench/results.json');
const productRoot = resolve(env.BENCH_PRODUCT_ROOT ?? ROOT);

/**
 * The series, by name. Product sessions belong to `users` signed-in people, spread round-robin.
 * "/mcp 2025" and "/sse" are 2025-era sessions (McpAgent); "/mcp 2026" is MCP 2026-07-28.
 */
const FLOOR = 'floor';
const MCP_SERIES = ['baseline /mcp 2025', 'product /mcp 2025', 'baseline /sse', 'product /sse', 'baseline /mcp 2026', 'product /mcp 2026'] as const;
type McpSeries = (typeof MCP_SERIES)[number];
const SERIES = [FLOOR, ...MCP_SERIES] as const;
type Series = (typeof SERIES)[number];
const PRODUCT_SERIES = ['product /mcp 2025', 'product /sse', 'product /mcp 2026'] as const;
const baselineOf = (series: (typeof PRODUCT_SERIES)[number]) => series.replace('product', 'baseline') as McpSeries;
/** The hop ladder in the baseline Worker, measured in the warm rounds only (see bench/baseline/worker.ts). */
const HOP_SERIES = [
  'hop: Worker → Luma',
  'hop: Worker → object → Luma',
  'hop: Worker → object → Luma + SQLite write',
  'hop: Worker → object → Luma + SQLite write + KV copy',
  'hop: stateless MCP → object → Luma',
] as const;
type HopSeries = (typeof HOP_SERIES)[number];
const WARM_SERIES = [...SERIES, ...HOP_SERIES] as const;
type WarmSeries = (typeof WARM_SERIES)[number];
const isModern = (series: string) => series.endsWith(' 2026');

interface CallSample {
  id: string;
  start: number;
  end: number;
  outcome: string;
}

const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
const rotate = <T>(items: readonly T[], by: number) => items.map((_, index) => items[(index + by) % items.length]!);

async function main() {
  const startedAt = new Date();
  const load = new LoadSampler().start();
  log(`config ${JSON.stringify(config)}${productRoot === ROOT ? '' : `, product from ${productRoot}`}`);

  // Enough generations for every delete the run can make, with room to spare.
  const perSeriesThroughput = config.concurrency.reduce(
    (sum, c) => sum + Math.ceil(c * ((config.throughputMs + config.throughputWarmupMs) / config.delayMs) * 1.3) + 10,
    0,
  );
  const perSeries = config.warmCalls + 20 + config.freshSessions + perSeriesThroughput + config.cpuCalls + config.profileCalls;
  const perHop = config.warmCalls + 30;

  const sim = await startSimulatorThread({ delayMs: config.delayMs });
  const floorKey = 'bench-floor-key';
  const baselineKey = 'bench-baseline-key';
  const userKeys = Array.from({ length: config.users }, (_, index) => `bench-user-${index}-key`);
  const pools = new Map<string, IdPool>();
  pools.set(floorKey, new IdPool('floor', await sim.addAccount(floorKey, perSeries)));
  pools.set(baselineKey, new IdPool('baseline', await sim.addAccount(baselineKey, 3 * perSeries + HOP_SERIES.length * perHop)));
  for (const [index, key] of userKeys.entries()) {
    const mine = index === 0 ? PRODUCT_SERIES.length * (perSeries - perSeriesThroughput) : 0;
    pools.set(key, new IdPool(key, await sim.addAccount(key, mine + Math.ceil((PRODUCT_SERIES.length * perSeriesThroughput) / config.users) + 100)));
  }
  const pool = (key: string) => pools.get(key)!;

  let product: RunningWorker | undefined;
  let baseline: RunningWorker | undefined;
  try {
    log('starting the product and the baseline Worker (wrangler dev)');
    const startProduct = productRoot === ROOT ? startWorker : ((await import(resolve(productRoot, 'test/e2e/helpers/wrangler-dev.ts'))) as { startWorker: typeof startWorker }).startWorker;
    // The product with its default timeouts and retries; only the upstream is the simulator.
    [product, baseline] = await Promise.all([
      startProduct({ LUMA_API_BASE_URL: sim.url }),
      startWorker({ LUMA_API_BASE_URL: sim.url, BASELINE_LUMA_KEY: baselineKey }, { config: 'bench/baseline/wrangler.toml' }),
    ]);
    log(`product ${product.origin}, baseline ${baseline.origin}, simulator ${sim.url}`);

    // The real OAuth flow, once per user: registration, PKCE, consent with the Luma key, token.
    const oauthStart = clock();
    const providers: InMemoryOAuthProvider[] = [];
    for (const key of userKeys) providers.push(await signIn(product.origin, key));
    const oauthMs = clock() - oauthStart;

    const factory = (series: McpSeries | HopSeries, session = 0): SessionFactory | ModernSessionFactory => {
      if (series === 'hop: stateless MCP → object → Luma') return baselineModernSessions(baseline!.origin, '/hop/mcp-object');
      const user = session % config.users;
      if (isModern(series)) return series.startsWith('baseline') ? baselineModernSessions(baseline!.origin) : productModernSessions(product!.origin, providers[user]!);
      const kind = series.endsWith('/sse') ? 'sse' : 'streamable-http';
      if (series.startsWith('baseline')) return baselineSessions(baseline!.origin, kind);
      return productSessions(product!.origin, kind, userKeys[user]!, providers[user]!);
    };
    const keyOf = (series: WarmSeries, session = 0) =>
      series === FLOOR ? floorKey : series.startsWith('product') ? userKeys[session % config.users]! : baselineKey;

    const warm = await measureWarm(sim, factory, keyOf, pool, baseline.origin);
    const fresh = await measureFresh(sim, factory, keyOf, pool);
    const throughput = await measureThroughput(sim, factory, keyOf, pool);
    const cpu = await measureCpu(sim, factory, keyOf, pool, { baseline: baseline.pid, product: product.pid });
    const profiles = config.profileCalls > 0 ? await measureProfiles(factory, keyOf, pool, { baseline, product }) : undefined;

    const workerOutput = product.output();
    await Promise.all([product.stop(), baseline.stop()]);
    product = baseline = undefined;

    log('measuring the deployable bundle (wrangler deploy --dry-run --outdir)');
    const bundle = await measureBundle(productRoot);

    const results = assemble({ startedAt, load: load.stop(), oauthMs, warm, fresh, throughput, cpu, profiles, bundle });
    if (userKeys.some((key) => workerOutput.includes(key))) throw new Error('a Luma key appeared in the Worker output');
    mkdirSync(dirname(resultsPath), { recursive: true });
    writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
    log(`wrote ${resultsPath}`);
    if (env.BENCH_NO_REPORT !== '1' && resultsPath === resolve(ROOT, 'bench/results.json')) {
      writeReport();
      log('wrote docs/benchmarks.md and docs/benchmarks.svg');
    }
    printSummary(results);
  } finally {
    await Promise.all([product?.stop(), baseline?.stop()]);
    await sim.close();
  }
}

type FactoryFor = (series: McpSeries | HopSeries, session?: number) => SessionFactory | ModernSessionFactory;
type KeyFor = (series: WarmSeries, session?: number) => string;
type PoolFor = (key: string) => IdPool;

async function safely(action: () => Promise<string>): Promise<string> {
  try {
    return await action();
  } catch (error) {
    return `exception: ${error instanceof Error ? error.message.slice(0, 120) : String(error)}`;
  }
}

// ── Warm sessions ────────────────────────────────────────────────────────────────────────────────

async function measureWarm(sim: SimulatorThread, factory: FactoryFor, keyOf: KeyFor, pool: PoolFor, baselineOrigin: string) {
  log(`warm sessions: ${config.warmCalls} deletes per series in ${config.rounds} interleaved rounds`);
  const deleters = new Map<WarmSeries, Deleter>();
  deleters.set(FLOOR, floorDeleter(sim.url, keyOf(FLOOR)));
  for (const series of MCP_SERIES) deleters.set(series, await openMcpDeleter(factory(series)));
  deleters.set('hop: Worker → Luma', hopDeleter(`${baselineOrigin}/hop/direct`));
  deleters.set('hop: Worker → object → Luma', hopDeleter(`${baselineOrigin}/hop/object`));
  deleters.set('hop: Worker → object → Luma + SQLite write', hopDeleter(`${baselineOrigin}/hop/object-write`));
  deleters.set('hop: Worker → object → Luma + SQLite write + KV copy', hopDeleter(`${baselineOrigin}/hop/object-write-kv`));
  deleters.set('hop: stateless MCP → object → Luma', await openMcpDeleter(factory('hop: stateless MCP → object → Luma')));

  const calls = new Map<WarmSeries, CallSample[]>(WARM_SERIES.map((series) => [series, []]));
  const pings = new Map<McpSeries, number[]>(MCP_SERIES.map((series) => [series, []]));
  const devHttp: number[] = [];
  const repeats = new Map<string, CallSample[]>(PRODUCT_SERIES.map((series) => [series, []]));
  const deletedByProduct: string[] = [];

  // Warm-up, not recorded: connections, JIT, Durable Objects. Also gives the repeat deletes their IDs.
  for (const series of WARM_SERIES) {
    for (let index = 0; index < 5; index++) {
      const id = pool(keyOf(series)).take();
      const outcome = await safely(() => deleters.get(series)!.delete(id));
      if (series.startsWith('product') && outcome === 'deleted') deletedByProduct.push(id);
    }
  }
  await sim.timings(true);

  const perRound = Math.ceil(config.warmCalls / config.rounds);
  const extras = Math.ceil(perRound / 2);
  for (let round = 0; round < config.rounds; round++) {
    for (const series of rotate(WARM_SERIES, round)) {
      const deleter = deleters.get(series)!;
      for (let index = 0; index < perRound; index++) {
        const id = pool(keyOf(series)).take();
        const start = clock();
        const outcome = await safely(() => deleter.delete(id));
        calls.get(series)!.push({ id, start, end: clock(), outcome });
        if (series.startsWith('product') && outcome === 'deleted') deletedByProduct.push(id);
      }
    }
    // What the layers in front of the tool cost: an MCP ping (no tool, no Luma), and a bare GET
    // answered by the baseline Worker itself (wrangler dev's HTTP path and nothing else).
    for (const series of rotate(MCP_SERIES, round)) {
      const deleter = deleters.get(series)!;
      for (let index = 0; index < extras; index++) {
        const start = clock();
        try {
          await deleter.ping!();
          pings.get(series)!.push(clock() - start);
        } catch {
          // counted by its absence; pings are only for the breakdown
        }
      }
    }
    for (let index = 0; index < extras; index++) {
      const start = clock();
      await (await fetch(`${baselineOrigin}/`)).arrayBuffer();
      devHttp.push(clock() - start);
    }
    // A repeat delete of a generation this user already deleted: answered from the log.
    for (const series of rotate(PRODUCT_SERIES, round)) {
      const deleter = deleters.get(series)!;
      for (let index = 0; index < extras; index++) {
        const id = deletedByProduct[(round * extras + index) % deletedByProduct.length]!;
        const start = clock();
        const outcome = await safely(() => deleter.delete(id));
        repeats.get(series)!.push({ id, start, end: clock(), outcome });
      }
    }
    log(`  round ${round + 1}/${config.rounds}: ${[...calls].filter(([series]) => !series.startsWith('hop')).map(([series, list]) => `${series} p50 ${summarise(list.map(ms)).p50}`).join(', ')}`);
  }
  const timings = await sim.timings(true);
  await Promise.all([...deleters.values()].map((deleter) => deleter.close()));
  return { calls, pings, devHttp, repeats, timings };
}

const ms = (sample: CallSample) => sample.end - sample.start;

// ── Fresh sessions ───────────────────────────────────────────────────────────────────────────────

interface FreshSample {
  connect: number;
  call: number;
  total: number;
  outcome: string;
}

async function measureFresh(sim: SimulatorThread, factory: FactoryFor, keyOf: KeyFor, pool: PoolFor) {
  log(`fresh sessions: ${config.freshSessions} per series (initialize + one delete), interleaved`);
  const samples = new Map<Series, FreshSample[]>(SERIES.map((series) => [series, []]));
  const rounds = Math.min(config.rounds, config.freshSessions);
  const perRound = Math.ceil(config.freshSessions / rounds);
  for (let round = 0; round < rounds; round++) {
    for (const series of rotate(SERIES, round)) {
      for (let index = 0; index < perRound; index++) {
        const id = pool(keyOf(series)).take();
        const start = clock();
        if (series === FLOOR) {
          const outcome = await safely(() => freshFloorDelete(sim.url, keyOf(FLOOR), id));
          const total = clock() - start;
          samples.get(series)!.push({ connect: 0, call: total, total, outcome });
          continue;
        }
        let deleter: Deleter | undefined;
        let connected = start;
        const outcome = await safely(async () => {
          deleter = await openMcpDeleter(factory(series));
          connected = clock();
          return deleter.delete(id);
        });
        const end = clock();
        samples.get(series)!.push({ connect: connected - start, call: end - connected, total: end - start, outcome });
        await deleter?.close();
      }
    }
  }
  await sim.timings(true);
  return samples;
}

// ── Throughput ───────────────────────────────────────────────────────────────────────────────────

interface ThroughputPoint {
  sessions: number;
  calls_per_second: number;
  completed: number;
  outcomes: Record<string, number>;
  latency: Summary;
}

async function measureThroughput(sim: SimulatorThread, factory: FactoryFor, keyOf: KeyFor, pool: PoolFor) {
  const most = Math.max(...config.concurrency);
  log(`throughput: opening ${most} sessions per series (ten at a time, as clients arriving close together would)`);
  const sessions = new Map<Series, Deleter[]>();
  const setupMs: Record<string, number> = {};
  for (const series of SERIES) {
    const start = clock();
    const deleters: Deleter[] = [];
    if (series === FLOOR) {
      for (let index = 0; index < most; index++) deleters.push(floorDeleter(sim.url, keyOf(FLOOR)));
    } else {
      for (let first = 0; first < most; first += 10) {
        const batch = Array.from({ length: Math.min(10, most - first) }, (_, offset) => openMcpDeleter(factory(series, first + offset)));
        deleters.push(...(await Promise.all(batch)));
      }
    }
    // One call each, so that every session's Durable Object exists and is warm.
    await Promise.all(deleters.map((deleter, index) => safely(() => deleter.delete(pool(keyOf(series, index)).take()))));
    setupMs[series] = round(clock() - start, 0);
    sessions.set(series, deleters);
  }

  const points = new Map<Series, ThroughputPoint[]>(SERIES.map((series) => [series, []]));
  for (const [step, concurrent] of config.concurrency.entries()) {
    log(`throughput: ${concurrent} concurrent session(s), ${config.throughputWarmupMs} ms warm-up + ${config.throughputMs} ms per series`);
    for (const series of rotate(SERIES, step)) {
      const deleters = sessions.get(series)!.slice(0, concurrent);
      const latencies: number[] = [];
      const outcomes: Record<string, number> = {};
      const start = clock();
      const measureFrom = start + config.throughputWarmupMs;
      const end = measureFrom + config.throughputMs;
      let completed = 0;
      // Closed loop: each session sends its next delete as soon as the last one is answered.
      // Only calls that start and end inside the measured window count.
      await Promise.all(
        deleters.map(async (deleter, index) => {
          while (clock() < end) {
            const id = pool(keyOf(series, index)).take();
            const callStart = clock();
            const outcome = await safely(() => deleter.delete(id));
            const callEnd = clock();
            if (callStart >= measureFrom && callEnd <= end) {
              outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
              completed += 1;
              latencies.push(callEnd - callStart);
            }
          }
        }),
      );
      const point: ThroughputPoint = {
        sessions: concurrent,
        calls_per_second: round(completed / (config.throughputMs / 1000), 1),
        completed,
        outcomes,
        latency: summarise(latencies),
      };
      points.get(series)!.push(point);
      log(`  ${series}: ${point.calls_per_second} calls/s (p50 ${point.latency.p50} ms)`);
    }
  }
  await Promise.all([...sessions.values()].flat().map((deleter) => deleter.close()));
  await sim.timings(true);
  return { points, setupMs };
}

// ── Where the time goes: CPU per call, by process, and a profile of each Worker ──────────────────

async function measureCpu(sim: SimulatorThread, factory: FactoryFor, keyOf: KeyFor, pool: PoolFor, groups: Record<string, number>) {
  log(`CPU time per call: ${config.cpuCalls} sequential deletes per series, CPU of every process before and after`);
  const result: Record<string, Record<string, number>> = {};
  for (const series of SERIES) {
    const deleter = series === FLOOR ? floorDeleter(sim.url, keyOf(FLOOR)) : await openMcpDeleter(factory(series));
    for (let index = 0; index < 5; index++) await safely(() => deleter.delete(pool(keyOf(series)).take()));
    await new Promise((resolvePause) => setTimeout(resolvePause, 300));
    const before = snapshot(groups);
    for (let index = 0; index < config.cpuCalls; index++) await safely(() => deleter.delete(pool(keyOf(series)).take()));
    const after = snapshot(groups);
    await deleter.close();
    // Only the processes this series runs through: the bench process and its own Worker.
    const own = series === FLOOR ? [] : [series.split(' ')[0]!];
    result[series] = Object.fromEntries(
      Object.entries(perCall(before, after, config.cpuCalls)).filter(([key]) => key.startsWith('bench') || own.some((name) => key.startsWith(`${name}:`))),
    );
  }
  await sim.timings(true);
  return result;
}

async function measureProfiles(factory: FactoryFor, keyOf: KeyFor, pool: PoolFor, workers: { baseline: RunningWorker; product: RunningWorker }) {
  log(`CPU profiles of each Worker's isolate: ${config.profileCalls} sequential deletes over /mcp each, both eras`);
  const result: Record<string, ProfileSummary & { calls: number }> = {};
  const intervalUs = 100;
  for (const series of ['baseline /mcp 2025', 'product /mcp 2025', 'baseline /mcp 2026', 'product /mcp 2026'] as const) {
    const worker = series.startsWith('baseline') ? workers.baseline : workers.product;
    const deleter = await openMcpDeleter(factory(series));
    for (let index = 0; index < 10; index++) await safely(() => deleter.delete(pool(keyOf(series)).take()));
    const { profile, scripts } = await profileWhile(
      worker.inspectorPort,
      async () => {
        for (let index = 0; index < config.profileCalls; index++) await safely(() => deleter.delete(pool(keyOf(series)).take()));
      },
      intervalUs,
    );
    result[series] = { calls: config.profileCalls, ...summariseProfile(profile, intervalUs, sourceMapResolver(scripts)) };
    await deleter.close();
  }
  return result;
}

// ── Results ──────────────────────────────────────────────────────────────────────────────────────

/** Where the time of a warm delete goes: before the request reaches Luma, at Luma, and after. */
function breakdown(calls: CallSample[], timings: HopTiming[]) {
  const byId = new Map(timings.filter((timing) => timing.method === 'DELETE').map((timing) => [timing.path.split('/').pop()!, timing]));
  const inbound: number[] = [];
  const upstream: number[] = [];
  const outbound: number[] = [];
  for (const call of calls) {
    const hop = byId.get(call.id);
    if (!hop || call.outcome !== 'deleted') continue;
    inbound.push(hop.arrive - call.start);
    upstream.push(hop.leave - hop.arrive);
    outbound.push(call.end - hop.leave);
  }
  return { before_upstream: summarise(inbound), at_upstream: summarise(upstream), after_upstream: summarise(outbound) };
}

function countOutcomes(list: { outcome: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { outcome } of list) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
}

function assemble(input: {
  startedAt: Date;
  load: ReturnType<LoadSampler['stop']>;
  oauthMs: number;
  warm: Awaited<ReturnType<typeof measureWarm>>;
  fresh: Awaited<ReturnType<typeof measureFresh>>;
  throughput: Awaited<ReturnType<typeof measureThroughput>>;
  cpu: Awaited<ReturnType<typeof measureCpu>>;
  profiles: Awaited<ReturnType<typeof measureProfiles>> | undefined;
  bundle: BundleSize;
}) {
  const { warm, fresh, bundle } = input;
  const throughput = input.throughput.points;
  const warmLatency = Object.fromEntries(SERIES.map((series) => [series, summarise(warm.calls.get(series)!.map(ms))])) as Record<Series, Summary>;
  const hopLatency = Object.fromEntries(HOP_SERIES.map((series) => [series, summarise(warm.calls.get(series)!.map(ms))])) as Record<HopSeries, Summary>;
  const freshLatency = Object.fromEntries(
    SERIES.map((series) => {
      const list = fresh.get(series)!;
      return [
        series,
        {
          total: summarise(list.map((sample) => sample.total)),
          ...(series === FLOOR ? {} : { initialize: summarise(list.map((sample) => sample.connect)), call: summarise(list.map((sample) => sample.call)) }),
        },
      ];
    }),
  ) as Record<Series, { total: Summary; initialize?: Summary; call?: Summary }>;
  const ping = Object.fromEntries(MCP_SERIES.map((series) => [series, summarise(warm.pings.get(series)!)])) as Record<McpSeries, Summary>;
  const repeat = Object.fromEntries([...warm.repeats].map(([series, list]) => [series, summarise(list.map(ms))])) as Record<string, Summary>;
  const perHop = Object.fromEntries(WARM_SERIES.map((series) => [series, breakdown(warm.calls.get(series)!, warm.timings)])) as Record<WarmSeries, ReturnType<typeof breakdown>>;

  const floor = warmLatency[FLOOR];
  const at50 = (series: Series) => throughput.get(series)!.find((point) => point.sessions === 50);
  const ratios = {
    warm: Object.fromEntries(
      PRODUCT_SERIES.map((series) => {
        const p = warmLatency[series];
        const b = warmLatency[baselineOf(series)];
        return [
          series,
          {
            p50_to_floor: ratio(p.p50, floor.p50),
            p90_to_floor: ratio(p.p90, floor.p90),
            p99_to_floor: ratio(p.p99, floor.p99),
            p50_to_baseline: ratio(p.p50, b.p50),
            p90_to_baseline: ratio(p.p90, b.p90),
            p99_to_baseline: ratio(p.p99, b.p99),
          },
        ];
      }),
    ) as unknown as Record<(typeof PRODUCT_SERIES)[number], Record<string, number>>,
    baseline_warm_to_floor: Object.fromEntries(
      (['baseline /mcp 2025', 'baseline /sse', 'baseline /mcp 2026'] as const).map((series) => [series, { p50: ratio(warmLatency[series].p50, floor.p50), p99: ratio(warmLatency[series].p99, floor.p99) }]),
    ),
    hop_warm_to_floor: Object.fromEntries(HOP_SERIES.map((series) => [series, { p50: ratio(hopLatency[series].p50, floor.p50), p99: ratio(hopLatency[series].p99, floor.p99) }])),
    fresh: Object.fromEntries(
      PRODUCT_SERIES.map((series) => {
        const p = freshLatency[series].total;
        const b = freshLatency[baselineOf(series)].total;
        return [series, { p50_to_floor: ratio(p.p50, freshLatency[FLOOR].total.p50), p50_to_baseline: ratio(p.p50, b.p50), p99_to_baseline: ratio(p.p99, b.p99) }];
      }),
    ),
    repeat_p50_to_floor_p50: Object.fromEntries(Object.entries(repeat).map(([series, summary]) => [series, ratio(summary.p50, floor.p50)])),
    throughput_to_baseline: Object.fromEntries(
      PRODUCT_SERIES.map((series) => [
        series,
        Object.fromEntries(
          throughput.get(series)!.map((point, index) => [String(point.sessions), ratio(point.calls_per_second, throughput.get(baselineOf(series))![index]!.calls_per_second)]),
        ),
      ]),
    ),
    /** The 2026-07-28 path against the 2025-era /mcp path, at each number of concurrent clients. */
    throughput_modern_to_legacy: Object.fromEntries(
      throughput.get('product /mcp 2026')!.map((point, index) => [String(point.sessions), ratio(point.calls_per_second, throughput.get('product /mcp 2025')![index]!.calls_per_second)]),
    ),
  };

  // The targets of issue 10 (MCP 2026-07-28 at the edge), as ratios from this run.
  const modern = ratios.warm['product /mcp 2026'];
  const legacy = ratios.warm['product /mcp 2025'];
  const modern50 = at50('product /mcp 2026');
  const legacy50 = at50('product /mcp 2025');
  const targets = [
    { id: 'modern_p50_vs_floor', series: 'product /mcp 2026', name: '2026-07-28 /mcp: warm p50 ≤ 1.45 × floor p50', value: modern.p50_to_floor!, limit: 1.45, atLeast: false },
    { id: 'modern_p50_vs_stateless', series: 'product /mcp 2026', name: '2026-07-28 /mcp: warm p50 ≤ 1.08 × stateless baseline p50', value: modern.p50_to_baseline!, limit: 1.08, atLeast: false },
    { id: 'modern_p99_vs_floor', series: 'product /mcp 2026', name: '2026-07-28 /mcp: warm p99 ≤ 1.8 × floor p99', value: modern.p99_to_floor!, limit: 1.8, atLeast: false },
    { id: 'legacy_p50_vs_floor', series: 'product /mcp 2025', name: '2025-era /mcp: warm p50 ≤ 1.5 × floor p50', value: legacy.p50_to_floor!, limit: 1.5, atLeast: false },
    ...(modern50 && legacy50
      ? [{ id: 'modern_throughput50_vs_legacy', series: 'product /mcp 2026', name: '2026-07-28 /mcp: throughput at 50 clients ≥ 1.5 × 2025-era /mcp', value: ratio(modern50.calls_per_second, legacy50.calls_per_second), limit: 1.5, atLeast: true }]
      : []),
    { id: 'bundle', series: 'bundle', name: 'deployable bundle < 1 MiB gzip', value: round(bundle.gzip_bytes / 2 ** 20, 3), limit: 1, atLeast: false },
  ].map((target) => ({ ...target, met: target.atLeast ? target.value >= target.limit : target.value <= target.limit }));

  const finishedAt = new Date();
  return {
    schema: 2,
    run: {
      started_at: input.startedAt.toISOString(),
      finished_at: finishedAt.toISOString(),
      duration_s: round((finishedAt.getTime() - input.startedAt.getTime()) / 1000, 1),
      node: process.version,
      wrangler: readPackageVersion('wrangler'),
      agents: readPackageVersion('agents'),
      commit: gitCommit(productRoot),
      product_root: productRoot === ROOT ? '.' : productRoot,
      config,
      oauth_flow_ms_per_user: round(input.oauthMs / config.users, 1),
    },
    machine: input.load,
    upstream_delay_ms: config.delayMs,
    latency_ms: {
      warm: warmLatency,
      hops: hopLatency,
      fresh: freshLatency,
      repeat_from_log: repeat,
      ping,
      wrangler_dev_http: summarise(warm.devHttp),
      breakdown_warm: perHop,
    },
    ratios,
    throughput: Object.fromEntries([...throughput].map(([series, list]) => [series, list])) as Record<Series, ThroughputPoint[]>,
    throughput_session_setup_ms: input.throughput.setupMs,
    cpu_ms_per_call: input.cpu,
    ...(input.profiles ? { isolate_cpu_profile: input.profiles } : {}),
    bundle,
    outcomes: {
      warm: Object.fromEntries([...warm.calls].map(([series, list]) => [series, countOutcomes(list)])),
      repeat: Object.fromEntries([...warm.repeats].map(([series, list]) => [series, countOutcomes(list)])),
      fresh: Object.fromEntries([...fresh].map(([series, list]) => [series, countOutcomes(list)])),
    },
    targets,
  };
}

export type BenchResults = ReturnType<typeof assemble>;

function readPackageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(resolve(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function printSummary(results: BenchResults) {
  const lines = ['', `warm delete_generation latency (ms), upstream delay ${results.upstream_delay_ms} ms:`];
  for (const [series, s] of Object.entries({ ...results.latency_ms.warm, ...results.latency_ms.hops })) lines.push(`  ${series.padEnd(34)} p50 ${s.p50}  p90 ${s.p90}  p99 ${s.p99}  (n=${s.n})`);
  lines.push('fresh session (initialize + delete), total (ms):');
  for (const [series, s] of Object.entries(results.latency_ms.fresh)) lines.push(`  ${series.padEnd(20)} p50 ${s.total.p50}  p90 ${s.total.p90}  p99 ${s.total.p99}`);
  lines.push('repeat delete answered from the log (ms):');
  for (const [series, s] of Object.entries(results.latency_ms.repeat_from_log)) lines.push(`  ${series.padEnd(20)} p50 ${s.p50}  p90 ${s.p90}  p99 ${s.p99}`);
  lines.push(`throughput (calls/s) at ${config.concurrency.join(' / ')} sessions:`);
  for (const [series, list] of Object.entries(results.throughput)) lines.push(`  ${series.padEnd(20)} ${list.map((point) => point.calls_per_second).join(' / ')}`);
  lines.push(`bundle: ${(results.bundle.gzip_bytes / 1024).toFixed(1)} KiB gzip (${(results.bundle.bytes / 1024).toFixed(1)} KiB raw)`);
  lines.push(`load average (1 min) during the run: min ${results.machine.load1_min}, mean ${results.machine.load1_mean}, max ${results.machine.load1_max} on ${results.machine.cpus} CPUs`);
  lines.push('targets:');
  for (const target of results.targets) lines.push(`  ${target.met ? 'met   ' : 'MISSED'} ${target.name}: ${target.value}`);
  console.log(lines.join('\n'));
}

await main();
