/**
 * `npm run soak`: load and faults, then an audit against the simulator's own record.
 *
 * Concurrent MCP sessions of several users (each through the real OAuth flow, over /mcp and /sse)
 * delete seeded generations while the Luma simulator injects 5xx answers, 429s with Retry-After,
 * answers slower than the Worker's timeout and dropped connections, each both before and after
 * doing the work (so some deletes happen at Luma while their answer is lost). Sessions behave like
 * a careful assistant: a failed delete is repeated a few times (the tool says repeating is safe),
 * and a few IDs are deleted by two sessions of the same user at once. Like a careful assistant,
 * each user lists their generations before deleting (so the server has seen them). Mixed into the
 * deletes are IDs that never existed and IDs of other users' generations (which this user's key
 * cannot delete), and the Worker is restarted mid-run (`--restarts`, the process killed with calls
 * in flight, then started again on the same local storage), so that every user object loses its
 * memory while deletes are open.
 *
 * At the end every user's deletes log (list_recent_deletes, all pages) is compared with what the
 * simulator actually deleted with that user's key: 0 phantom (logged or reported as deleted but
 * not deleted by this user), 0 lost (deleted at Luma but not logged as deleted), 0 duplicate
 * entries. Fails (exit 1) on any mismatch, any call that hung or got no definite answer, or a
 * Worker that no longer serves a normal call.
 *
 *   node bench/soak.ts [--sessions 50] [--users 5] [--generations 2000] [--fault-rate 1] [--restarts 2]
 *                      [--seed 1] [--out bench/soak-results.json] [--quiet] [--product-root DIR]
 *
 * `--fault-rate` scales the fault mix (1 = the default mix below, about 16% of Luma requests).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { FaultRule } from '../simulator/luma-simulator.ts';
import type { InMemoryOAuthProvider } from '../test/e2e/helpers/mcp-oauth-client.ts';
import type { RunningWorker } from '../test/e2e/helpers/wrangler-dev.ts';
import { callDelete, closeQuietly, productSessions, signIn, type TransportKind } from './lib/sessions.ts';
import { gitCommit } from './lib/commit.ts';
import { writeReport } from './lib/report.ts';
import { startSimulatorThread } from './lib/simulator-thread.ts';
import { clock, LoadSampler, round, summarise } from './lib/stats.ts';

const ROOT = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    sessions: { type: 'string', default: '50' },
    users: { type: 'string', default: '5' },
    generations: { type: 'string', default: '2000' },
    'fault-rate': { type: 'string', default: '1' },
    restarts: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: 'bench/soak-results.json' },
    /** Soak another checkout's Worker (e.g. a copy with a candidate fix); default: this one. */
    'product-root': { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});
const config = {
  sessions: positive(args.sessions, 'sessions'),
  users: positive(args.users, 'users'),
  generations: positive(args.generations, 'generations'),
  faultRate: Number(args['fault-rate']),
  /** Times the Worker is killed and started again during the load. */
  restarts: Number(args.restarts),
  /** Share of each user's deletes that go to IDs that never existed, and to other users' generations. */
  strangerShare: 0.03,
  /** How often a session reconnects to a restarted Worker before the call counts as failed. */
  maxReconnects: 10,
  seed: positive(args.seed, 'seed'),
  /** Every Luma answer takes this long at least. */
  upstreamDelayMs: 20,
  /** The Worker's own limits during the soak (short, so that faults resolve quickly). */
  worker: { LUMA_TIMEOUT_MS: '600', LUMA_MAX_RETRIES: '2', LUMA_RETRY_BASE_DELAY_MS: '50' },
  /** Longer than any answer the Worker can take (3 attempts × 600 ms + backoff ≤ 4 s each): past this, a call hung. */
  hungAfterMs: 30_000,
  /** How many times a session repeats a delete that failed for a passing reason. */
  maxAttemptsPerId: 6,
  /** Share of IDs that a second session of the same user also deletes, at about the same time. */
  duplicateShare: 0.1,
  /** One session in five uses the legacy SSE transport (spread over the users). */
  sseEvery: 5,
};
if (!(config.faultRate >= 0)) fail('--fault-rate must be a non-negative number');
if (!(Number.isInteger(config.restarts) && config.restarts >= 0)) fail('--restarts must be a non-negative integer');
const resultsPath = resolve(ROOT, args.out);
const productRoot = resolve(args['product-root'] ?? ROOT);
const say = (message: string) => {
  if (!args.quiet) console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}`);
};

/**
 * The fault mix, per Luma request, drawn from the simulator's seeded PRNG. "before": the request
 * fails and nothing happens at Luma. "after": Luma deletes, then the answer is lost or late.
 */
function faultMix(rate: number): (FaultRule & { label: string })[] {
  const p = (value: number) => Math.min(1, value * rate);
  const base = { method: 'DELETE', path: '/generations/*', times: 0 };
  return [
    { label: '503 before', ...base, status: 503, probability: p(0.03) },
    { label: '500 after (deleted, answer lost)', ...base, status: 500, applyAfterHandling: true, probability: p(0.02) },
    { label: '429 Retry-After: 1', ...base, status: 429, headers: { 'Retry-After': '1' }, probability: p(0.03) },
    { label: '429 Retry-After: 30', ...base, status: 429, headers: { 'Retry-After': '30' }, probability: p(0.005) },
    { label: 'slow 1500 ms before (timeout)', ...base, delayMs: 1500, probability: p(0.02) },
    { label: 'slow 1500 ms after (deleted, answer late)', ...base, delayMs: 1500, applyAfterHandling: true, probability: p(0.02) },
    { label: 'drop before', ...base, drop: true, probability: p(0.02) },
    { label: 'drop after (deleted, answer lost)', ...base, drop: true, applyAfterHandling: true, probability: p(0.02) },
  ];
}

/** The answers a tool call may definitely end with. Anything else is "no definite answer". */
const SUCCESSES = new Set(['deleted', 'already_deleted']);
/** Not a failure, not a success: gone at Luma, but nothing shows it was this user's (see the evidence rule). */
const UNCONFIRMED = 'gone_unconfirmed';
const CLEAR_ERRORS = new Set(['invalid_generation_id', 'no_api_key', 'key_rejected', 'not_found', 'rate_limited', 'luma_unavailable', 'luma_rejected', 'internal_error']);
/** Worth repeating: the outcome may change. `not_found` and the rest are final. */
const PASSING = new Set(['rate_limited', 'luma_unavailable', 'internal_error']);

interface CallRecord {
  session: number;
  user: number;
  id: string;
  outcome: string;
  ms: number;
  note?: string;
}

interface User {
  index: number;
  key: string;
  /** Generations the sessions delete. */
  targets: string[];
  /** IDs this user's sessions also try to delete that are not theirs: never existed, or another user's. */
  strangers: { never: string[]; foreign: string[] };
  /** Generations nobody deletes during the load: after it, one for the health check, the rest must stay. */
  untouched: string[];
}

async function main() {
  const load = new LoadSampler().start();
  const startedAt = new Date();
  const faults = faultMix(config.faultRate);
  say(`config ${JSON.stringify({ ...config, faults: faults.map(({ label, probability }) => `${label} p=${round(probability ?? 1, 4)}`) })}`);

  const sim = await startSimulatorThread({ delayMs: config.upstreamDelayMs, seed: config.seed });
  let worker: RunningWorker | undefined;
  let persistTo: string | undefined;
  try {
    const users: User[] = [];
    const perUser = Math.ceil(config.generations / config.users);
    for (let index = 0; index < config.users; index++) {
      const key = `soak-user-${index}-${crypto.randomUUID()}`;
      const targets = perUser * index >= config.generations ? 0 : Math.min(perUser, config.generations - perUser * index);
      const ids = await sim.addAccount(key, targets + 5);
      users.push({ index, key, targets: ids.slice(0, targets), untouched: ids.slice(targets), strangers: { never: [], foreign: [] } });
    }
    const strangerCount = (user: User) => Math.ceil(user.targets.length * config.strangerShare);
    for (const user of users) {
      user.strangers.never = Array.from({ length: strangerCount(user) }, () => crypto.randomUUID());
      // Another user's generations (which that user also deletes): this user's key can never delete them.
      if (users.length > 1) user.strangers.foreign = users[(user.index + 1) % users.length]!.targets.slice(0, strangerCount(user));
    }
    const ownerOf = new Map<string, number>();
    for (const user of users) for (const id of [...user.targets, ...user.untouched]) ownerOf.set(id, user.index);

    const { startWorker } = (await import(resolve(productRoot, 'test/e2e/helpers/wrangler-dev.ts'))) as typeof import('../test/e2e/helpers/wrangler-dev.ts');
    // Local storage that outlives a restart of the Worker (removed at the end).
    persistTo = mkdtempSync(join(tmpdir(), 'luma-mcp-soak-'));
    const workerVars = { LUMA_API_BASE_URL: sim.url, ...config.worker };
    worker = await startWorker(workerVars, { persistTo });
    const port = Number(new URL(worker.origin).port);
    say(`worker ${worker.origin}, simulator ${sim.url}`);
    const providers: InMemoryOAuthProvider[] = [];
    for (const user of users) providers.push(await signIn(worker.origin, user.key, `soak client ${user.index}`));
    // Sessions go round-robin to users; every `sseEvery`-th round of sessions uses SSE, so every user has both.
    const kindOf = (session: number): TransportKind =>
      Math.floor(session / config.users) % config.sseEvery === config.sseEvery - 1 ? 'sse' : 'streamable-http';
    const open = (session: number) => {
      const user = users[session % config.users]!;
      return productSessions(worker!.origin, kindOf(session), user.key, providers[user.index]!).open();
    };

    // Before deleting, each user lists all their generations once (a careful assistant finds IDs first).
    for (const user of users) {
      const client = await open(user.index);
      try {
        let offset = 0;
        for (let page = 0; page < 1_000; page++) {
          const result = (await client.callTool({ name: 'list_generations', arguments: { limit: 100, offset } }, undefined, { timeout: config.hungAfterMs })) as CallToolResult;
          if (result.isError) fail(`user ${user.index}: list_generations failed before the load`);
          const listed = result.structuredContent as { count: number; has_more: boolean; next_offset?: number };
          if (!listed.has_more || listed.next_offset === undefined) break;
          offset = listed.next_offset;
        }
      } finally {
        await closeQuietly(client);
      }
    }

    // Each user's IDs are dealt to that user's sessions; some are also dealt to a second session.
    const queues: string[][] = Array.from({ length: config.sessions }, () => []);
    for (const user of users) {
      const mine = Array.from({ length: config.sessions }, (_, session) => session).filter((session) => session % config.users === user.index);
      if (mine.length === 0) fail(`user ${user.index} has no session: use at least as many sessions as users`);
      user.targets.forEach((id, index) => {
        queues[mine[index % mine.length]!]!.push(id);
        if (mine.length > 1 && index % Math.round(1 / config.duplicateShare) === 0) queues[mine[(index + 1) % mine.length]!]!.push(id);
      });
      // Strangers go in among the real deletes, spread over the user's sessions.
      [...user.strangers.never, ...user.strangers.foreign].forEach((id, index) => {
        const queue = queues[mine[index % mine.length]!]!;
        queue.splice(Math.floor((queue.length * (index + 1)) / (user.strangers.never.length + user.strangers.foreign.length + 1)), 0, id);
      });
    }

    const sseSessions = Array.from({ length: config.sessions }, (_, session) => kindOf(session)).filter((kind) => kind === 'sse').length;
    say(`opening ${config.sessions} sessions (${config.sessions - sseSessions} /mcp, ${sseSessions} /sse)`);
    const clients: (Client | undefined)[] = [];
    for (let first = 0; first < config.sessions; first += 10) {
      clients.push(...(await Promise.all(Array.from({ length: Math.min(10, config.sessions - first) }, (_, offset) => open(first + offset)))));
    }

    for (const rule of faults) {
      const { label: _label, ...fault } = rule;
      await sim.injectFault(fault);
    }
    say(`load: ${queues.reduce((sum, queue) => sum + queue.length, 0)} deletes queued, faults on`);
    const calls: CallRecord[] = [];
    const loadStart = clock();
    let progress = 0;
    const total = queues.reduce((sum, queue) => sum + queue.length, 0);
    const ticker = setInterval(() => say(`  ${calls.length} calls, ${progress} IDs settled`), 10_000);

    // Restarts: at evenly spaced points of the load, the Worker is killed with calls in flight and
    // started again on the same storage and port. Sessions that lose their connection wait for it.
    let restarted = 0;
    let running: Promise<void> = Promise.resolve();
    const restartAt = Array.from({ length: config.restarts }, (_, index) => Math.floor((total * (index + 1)) / (config.restarts + 1)));
    const maybeRestart = () => {
      if (restarted >= restartAt.length || progress < restartAt[restarted]!) return;
      restarted += 1;
      running = (async () => {
        say(`restart ${restarted}: stopping the Worker with calls in flight`);
        await worker!.stop();
        // Its sessions are gone with it: the clients notice (their pending calls fail) and reconnect.
        await Promise.all(clients.map((client) => closeQuietly(client)));
        clients.fill(undefined);
        worker = await startWorker(workerVars, { port, persistTo });
        say(`restart ${restarted}: serving again`);
      })();
    };
    await Promise.all(
      clients.map(async (_client, session) => {
        const user = session % config.users;
        for (const id of queues[session]!) {
          let reconnects = 0;
          for (let attempt = 1; attempt <= config.maxAttemptsPerId; attempt++) {
            await running;
            const client = (clients[session] ??= await open(session).catch(() => undefined));
            const record = client ? await deleteOnce(client, session, user, id) : { session, user, id, outcome: 'exception', ms: 0, note: 'could not reconnect' };
            if (record.outcome === 'exception' && reconnects < config.maxReconnects) {
              // The Worker went away under the call (a restart): reconnect and repeat, as a client would.
              reconnects += 1;
              calls.push({ ...record, outcome: 'interrupted' });
              await closeQuietly(clients[session]);
              clients[session] = undefined;
              await new Promise((resolvePause) => setTimeout(resolvePause, 250));
              attempt -= 1;
              continue;
            }
            calls.push(record);
            if (!PASSING.has(record.outcome)) break;
            // A careful assistant waits a little before repeating; Retry-After beyond a second is not waited out here.
            await new Promise((resolvePause) => setTimeout(resolvePause, 100 + Math.random() * 200));
          }
          progress += 1;
          maybeRestart();
        }
      }),
    );
    await running;
    clearInterval(ticker);
    const loadMs = clock() - loadStart;
    await sim.clearFaults();
    say(`load done in ${round(loadMs / 1000, 1)} s; auditing`);

    // The audit: the simulator's record against every user's log.
    const logs = new Map<number, { entries: string[]; outcomes: Map<string, string>; pages: number; sources: string[] }>();
    for (const user of users) {
      clients[user.index] ??= await open(user.index);
      logs.set(user.index, await readWholeLog(clients[user.index]!));
    }
    const deletedBySim = new Map<number, string[]>();
    for (const user of users) deletedBySim.set(user.index, await sim.deletedIds(user.key));

    const mismatches = {
      deleted_at_luma_but_not_in_log: [] as string[],
      in_log_more_than_once: [] as string[],
      in_log_but_not_deleted_at_luma: [] as string[],
      in_log_of_another_user: [] as string[],
      deleted_at_luma_twice: [] as string[],
      reported_deleted_but_not_deleted_at_luma: [] as string[],
      untouched_generation_deleted: [] as string[],
      /** Phantoms: an ID that was never this user's, logged or reported as deleted. */
      stranger_logged_as_deleted: [] as string[],
      stranger_reported_deleted: [] as string[],
      /** Lost: deleted at Luma with this user's key, but in the log in another state. */
      deleted_at_luma_but_logged_unconfirmed: [] as string[],
      /** Still there at Luma (another user's), yet logged as deleted. */
      foreign_generation_deleted: [] as string[],
    };
    for (const user of users) {
      const log = logs.get(user.index)!.entries;
      const deleted = deletedBySim.get(user.index)!;
      const inLog = new Map<string, number>();
      for (const id of log) inLog.set(id, (inLog.get(id) ?? 0) + 1);
      const deletedSet = new Set(deleted);
      if (deletedSet.size !== deleted.length) mismatches.deleted_at_luma_twice.push(...duplicates(deleted));
      for (const id of deletedSet) if (!inLog.has(id)) mismatches.deleted_at_luma_but_not_in_log.push(id);
      const claimed = logs.get(user.index)!.outcomes;
      for (const [id, count] of inLog) {
        if (count > 1) mismatches.in_log_more_than_once.push(id);
        // A `gone_unconfirmed` entry claims nothing; only `deleted` ones must match Luma's record.
        if (claimed.get(id) !== 'deleted') continue;
        if (!deletedSet.has(id)) mismatches.in_log_but_not_deleted_at_luma.push(id);
        if (ownerOf.has(id) && ownerOf.get(id) !== user.index) mismatches.in_log_of_another_user.push(id);
      }
      for (const id of user.untouched) if (deletedSet.has(id)) mismatches.untouched_generation_deleted.push(id);
      const outcomes = logs.get(user.index)!.outcomes;
      for (const id of [...user.strangers.never, ...user.strangers.foreign]) {
        if (outcomes.get(id) === 'deleted') mismatches.stranger_logged_as_deleted.push(id);
        if (calls.some((call) => call.user === user.index && call.id === id && SUCCESSES.has(call.outcome))) mismatches.stranger_reported_deleted.push(id);
        if (deletedSet.has(id)) mismatches.foreign_generation_deleted.push(id);
      }
      for (const id of deletedSet) if (outcomes.get(id) === UNCONFIRMED) mismatches.deleted_at_luma_but_logged_unconfirmed.push(id);
    }
    const deletedAnywhere = new Set([...deletedBySim.values()].flat());
    for (const call of calls) {
      if (SUCCESSES.has(call.outcome) && !deletedAnywhere.has(call.id)) mismatches.reported_deleted_but_not_deleted_at_luma.push(call.id);
    }
    const strangers = new Set(users.flatMap((user) => [...user.strangers.never, ...user.strangers.foreign].map((id) => `${user.index}:${id}`)));

    // Afterwards, with the faults gone: a normal call, and a look at isolation from the other side.
    const after = await afterwards(worker, users, providers, kindOf, logs);

    const outcomes: Record<string, number> = {};
    for (const call of calls) outcomes[call.outcome] = (outcomes[call.outcome] ?? 0) + 1;
    const hung = calls.filter((call) => call.outcome === 'hung');
    const definite = (outcome: string) => SUCCESSES.has(outcome) || outcome === UNCONFIRMED || CLEAR_ERRORS.has(outcome) || outcome === 'interrupted';
    const indefinite = calls.filter((call) => !definite(call.outcome) && call.outcome !== 'hung');
    const lastOutcome = new Map<string, string>();
    for (const call of calls) if (!strangers.has(`${call.user}:${call.id}`)) lastOutcome.set(`${call.user}:${call.id}`, call.outcome);
    const unresolved = [...lastOutcome.values()].filter((outcome) => !SUCCESSES.has(outcome)).length;
    const strangerOutcomes: Record<string, number> = {};
    for (const call of calls) if (strangers.has(`${call.user}:${call.id}`)) strangerOutcomes[call.outcome] = (strangerOutcomes[call.outcome] ?? 0) + 1;
    const requests = await sim.requests({ method: 'DELETE' });
    const faultCounts: Record<string, number> = {};
    for (const request of requests) if (request.fault) faultCounts[request.fault] = (faultCounts[request.fault] ?? 0) + 1;

    const mismatchCount = Object.values(mismatches).reduce((sum, list) => sum + list.length, 0);
    // How the generations missing from the logs got there: what the first call for each answered.
    const missingBy: Record<string, number> = {};
    for (const id of mismatches.deleted_at_luma_but_not_in_log) {
      const first = calls.find((call) => call.id === id)?.outcome ?? 'never called';
      const route = first === 'not_found' ? 'first call answered not_found' : `first call answered ${first}, a later one not_found`;
      missingBy[route] = (missingBy[route] ?? 0) + 1;
    }
    const failures = [
      ...(mismatchCount ? [`${mismatchCount} mismatch(es) between the logs and the simulator`] : []),
      ...(hung.length ? [`${hung.length} call(s) hung (no answer in ${config.hungAfterMs / 1000} s)`] : []),
      ...(indefinite.length ? [`${indefinite.length} call(s) without a definite answer`] : []),
      ...after.problems,
    ];
    const results = {
      schema: 1,
      started_at: startedAt.toISOString(),
      duration_s: round((Date.now() - startedAt.getTime()) / 1000, 1),
      config: { ...config, faults },
      commit: gitCommit(productRoot),
      ...(productRoot !== ROOT ? { product_root: productRoot } : {}),
      machine: load.stop(),
      load_seconds: round(loadMs / 1000, 1),
      counts: {
        calls: calls.length,
        ids: lastOutcome.size,
        successes: calls.filter((call) => SUCCESSES.has(call.outcome)).length,
        outcomes,
        hung: hung.length,
        no_definite_answer: indefinite.length,
        ids_not_deleted_after_retries: unresolved,
        restarts: restarted,
        interrupted_by_restarts: calls.filter((call) => call.outcome === 'interrupted').length,
        stranger_ids: strangers.size,
        stranger_outcomes: strangerOutcomes,
        phantom: mismatches.stranger_logged_as_deleted.length + mismatches.stranger_reported_deleted.length + mismatches.in_log_but_not_deleted_at_luma.length + mismatches.reported_deleted_but_not_deleted_at_luma.length,
        lost: mismatches.deleted_at_luma_but_not_in_log.length + mismatches.deleted_at_luma_but_logged_unconfirmed.length,
        duplicate: mismatches.in_log_more_than_once.length,
        luma_delete_requests: requests.length,
        luma_requests_with_fault: Object.values(faultCounts).reduce((sum, count) => sum + count, 0),
        faults_injected: faultCounts,
        deleted_at_luma: deletedAnywhere.size,
        log_entries: [...logs.values()].reduce((sum, log) => sum + log.entries.length, 0),
        log_pages_read: [...logs.values()].reduce((sum, log) => sum + log.pages, 0),
        mismatches: Object.fromEntries(Object.entries(mismatches).map(([name, list]) => [name, list.length])),
        mismatches_total: mismatchCount,
        missing_from_log_by_first_answer: missingBy,
      },
      call_ms: summarise(calls.map((call) => call.ms)),
      per_user: users.map((user) => ({
        user: user.index,
        deleted_at_luma: deletedBySim.get(user.index)!.length,
        log_entries: logs.get(user.index)!.entries.length,
        log_sources: logs.get(user.index)!.sources,
      })),
      afterwards: after.checks,
      examples: {
        ...Object.fromEntries(Object.entries(mismatches).filter(([, list]) => list.length).map(([name, list]) => [name, list.slice(0, 5).map((id) => ({ id, calls: calls.filter((call) => call.id === id) }))])),
        ...(indefinite.length ? { no_definite_answer: indefinite.slice(0, 5) } : {}),
        ...(hung.length ? { hung: hung.slice(0, 5) } : {}),
      },
      passed: failures.length === 0,
      failures,
    };
    mkdirSync(dirname(resultsPath), { recursive: true });
    writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
    // What the Worker printed (wrangler's request lines, warnings, errors), for diagnosing a failure.
    const workerLog = resolve(ROOT, 'bench/out', `${basename(resultsPath, '.json')}.worker.log`);
    mkdirSync(dirname(workerLog), { recursive: true });
    writeFileSync(workerLog, worker.output());
    printCounts(results);
    await Promise.all(clients.map((client) => closeQuietly(client)));
    if (worker.output().includes('soak-user-')) failures.push('a Luma key appeared in the Worker output');
    // The full soak's figures go on the benchmark page (a CI soak writes elsewhere and leaves it alone).
    if (resultsPath === resolve(ROOT, 'bench/soak-results.json') && writeReport()) say('updated docs/benchmarks.md');
    process.exitCode = failures.length ? 1 : 0;
    if (failures.length) console.error(`SOAK FAILED: ${failures.join('; ')}`);
    else console.log('SOAK PASSED');
  } finally {
    await worker?.stop();
    if (persistTo) rmSync(persistTo, { recursive: true, force: true });
    await sim.close();
  }
}

async function deleteOnce(client: Client, session: number, user: number, id: string): Promise<CallRecord> {
  const start = clock();
  let outcome: string;
  let note: string | undefined;
  try {
    const result = await callDelete(client, id, config.hungAfterMs);
    outcome = definiteOutcome(result);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    outcome = /timed out/i.test(message) ? 'hung' : 'exception';
    note = message.slice(0, 200);
  }
  return { session, user, id, outcome, ms: round(clock() - start, 1), ...(note ? { note } : {}) };
}

/** The outcome a tool result states, or `indefinite` when it does not state one clearly. */
function definiteOutcome(result: CallToolResult): string {
  const structured = result.structuredContent as { outcome?: string; error?: { code?: string; message?: string } } | undefined;
  const hasText = result.content?.some((block) => block.type === 'text' && block.text.trim() !== '');
  if (!structured || !hasText) return 'indefinite';
  if (result.isError) return structured.outcome === 'failed' && structured.error?.code && structured.error.message ? structured.error.code : 'indefinite';
  return structured.outcome && (SUCCESSES.has(structured.outcome) || structured.outcome === UNCONFIRMED) ? structured.outcome : 'indefinite';
}

/** Every page of a user's deletes log, through the tool, as any client would read it. */
async function readWholeLog(client: Client): Promise<{ entries: string[]; outcomes: Map<string, string>; pages: number; sources: string[] }> {
  const entries: string[] = [];
  const outcomes = new Map<string, string>();
  const sources: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const result = (await client.callTool({ name: 'list_recent_deletes', arguments: { limit: 100, ...(cursor ? { cursor } : {}) } }, undefined, {
      timeout: config.hungAfterMs,
    })) as CallToolResult;
    if (result.isError) throw new Error(`list_recent_deletes failed: ${JSON.stringify(result.structuredContent)}`);
    const page = result.structuredContent as { entries: { generation_id: string; outcome: string }[]; next_cursor?: string; source: string };
    entries.push(...page.entries.map((entry) => entry.generation_id));
    for (const entry of page.entries) outcomes.set(entry.generation_id, entry.outcome);
    sources.push(page.source);
    cursor = page.next_cursor;
    pages += 1;
    if (pages > 1000) throw new Error('list_recent_deletes does not stop paging');
  } while (cursor);
  return { entries, outcomes, pages, sources: [...new Set(sources)] };
}

/**
 * With the faults gone: every user deletes one untouched generation on a fresh session (a normal
 * call must work), and tries to delete another user's untouched generation (must be refused as
 * not found, deleted nowhere, logged nowhere).
 */
async function afterwards(
  worker: RunningWorker,
  users: User[],
  providers: Awaited<ReturnType<typeof signIn>>[],
  kindOf: (session: number) => TransportKind,
  logsBefore: Map<number, { entries: string[] }>,
) {
  const problems: string[] = [];
  const checks: Record<string, string>[] = [];
  for (const user of users) {
    const other = users[(user.index + 1) % users.length]!;
    const client = await productSessions(worker.origin, kindOf(user.index), user.key, providers[user.index]!).open();
    try {
      const own = definiteOutcome(await callDelete(client, user.untouched[0]!, config.hungAfterMs));
      const foreign = users.length > 1 ? definiteOutcome(await callDelete(client, other.untouched[1]!, config.hungAfterMs)) : 'not_found';
      const log = await readWholeLog(client);
      const grew = log.entries.length === logsBefore.get(user.index)!.entries.length + 1 && log.entries[0] === user.untouched[0];
      checks.push({ user: String(user.index), own_delete: own, foreign_delete: foreign, log_has_new_entry_first: String(grew) });
      if (own !== 'deleted') problems.push(`user ${user.index}: a normal delete after the soak answered ${own}`);
      if (foreign !== 'not_found') problems.push(`user ${user.index}: deleting another user's generation answered ${foreign}`);
      if (!grew) problems.push(`user ${user.index}: the log did not gain exactly the new delete`);
      if (log.entries.includes(other.untouched[1]!)) problems.push(`user ${user.index}: another user's generation entered the log`);
    } finally {
      await closeQuietly(client);
    }
  }
  return { problems, checks };
}

function duplicates(list: string[]): string[] {
  const seen = new Set<string>();
  return list.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
}

function printCounts(results: { counts: Record<string, unknown>; call_ms: { p50: number; p99: number; max: number }; afterwards: unknown; load_seconds: number }) {
  const counts = results.counts as Record<string, unknown> & { outcomes: Record<string, number>; mismatches: Record<string, number>; faults_injected: Record<string, number> };
  const lines = [
    '',
    `calls:                 ${counts.calls} (for ${counts.ids} session×ID pairs, in ${results.load_seconds} s)`,
    `successes:             ${counts.successes}`,
    ...Object.entries(counts.outcomes).sort((a, b) => b[1] - a[1]).map(([outcome, count]) => `  ${outcome.padEnd(20)} ${count}`),
    `hung:                  ${counts.hung}`,
    `no definite answer:    ${counts.no_definite_answer}`,
    `call time:             p50 ${results.call_ms.p50} ms, p99 ${results.call_ms.p99} ms, max ${results.call_ms.max} ms`,
    `Luma DELETE requests:  ${counts.luma_delete_requests} (${counts.luma_requests_with_fault} with an injected fault)`,
    ...Object.entries(counts.faults_injected).map(([fault, count]) => `  ${fault.padEnd(28)} ${count}`),
    `deleted at Luma:       ${counts.deleted_at_luma}`,
    `restarts:              ${counts.restarts} (${counts.interrupted_by_restarts} calls interrupted, then repeated)`,
    `stranger IDs:          ${counts.stranger_ids} (never existed, or another user's): ${JSON.stringify(counts.stranger_outcomes)}`,
    `phantom / lost / duplicate (must be 0): ${counts.phantom} / ${counts.lost} / ${counts.duplicate}`,
    `log entries:           ${counts.log_entries} (${counts.log_pages_read} pages read)`,
    `IDs still not deleted after ${config.maxAttemptsPerId} attempts: ${counts.ids_not_deleted_after_retries}`,
    'mismatches (must be 0):',
    ...Object.entries(counts.mismatches).map(([name, count]) => `  ${name.padEnd(44)} ${count}`),
    `  ${'total'.padEnd(44)} ${counts.mismatches_total}`,
    ...Object.entries(counts.missing_from_log_by_first_answer as Record<string, number>).map(([route, count]) => `  (missing from the log, ${route}: ${count})`),
    `afterwards: ${JSON.stringify(results.afterwards)}`,
  ];
  console.log(lines.join('\n'));
}

function positive(value: string | undefined, name: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) fail(`--${name} must be a positive integer`);
  return number;
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

await main();
