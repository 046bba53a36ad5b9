/**
 * `vitest`, as the core tests see it when `deno test` runs them (src/deno/deno.json maps the specifier
 * here), so the same test files run in workerd (vitest) and in Deno without copies.
 *
 * Only the registration is Deno's: `describe`/`it` become `Deno.test`. The assertions are vitest's
 * own (`@vitest/expect` on chai, set up as vitest sets it up), so a test asserts exactly the same
 * thing in both runtimes. What the core tests do not use is deliberately missing: a test that
 * needs more (hooks, snapshots, `vi`) fails to load under Deno instead of passing without it.
 */
import {
  ASYMMETRIC_MATCHERS_OBJECT,
  chai,
  getState,
  GLOBAL_EXPECT,
  JestAsymmetricMatchers,
  JestChaiExpect,
  JestExtend,
  setState,
  type ExpectStatic,
} from '@vitest/expect';
import { format } from '@vitest/utils/display';

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

/** vitest's default per-test timeout. */
const DEFAULT_TIMEOUT_MS = 5_000;

export const expect = ((value: unknown, message?: string) => {
  setState({ assertionCalls: getState(expect).assertionCalls + 1 }, expect);
  return chai.expect(value, message);
}) as ExpectStatic;
Object.assign(expect, chai.expect);
Object.assign(expect, (globalThis as Record<symbol, unknown>)[ASYMMETRIC_MATCHERS_OBJECT]);
expect.getState = () => getState(expect);
expect.setState = (state) => setState(state, expect);
// chai's own typing of `extend` is not exported; this is how vitest wires it.
expect.extend = (matchers) => (chai.expect as unknown as { extend(target: ExpectStatic, m: typeof matchers): void }).extend(expect, matchers);
// Matchers find the current expect (and its state) through this global, as under vitest.
Object.defineProperty(globalThis, GLOBAL_EXPECT, { value: expect, writable: true, configurable: true });

type TestBody = (...args: never[]) => unknown;

const suites: string[] = [];

export function describe(name: string, body: () => void): void {
  suites.push(name);
  try {
    body();
  } finally {
    suites.pop();
  }
}

function register(name: string, run: () => unknown, timeoutMs = DEFAULT_TIMEOUT_MS): void {
  const fullName = [...suites, name].join(' > ');
  Deno.test(fullName, async () => {
    setState({ assertionCalls: 0, currentTestName: fullName, isExpectingAssertions: false, expectedAssertionsNumber: null }, expect);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Test timed out in ${timeoutMs}ms.`)), timeoutMs);
    });
    try {
      await Promise.race([Promise.resolve().then(run), timeout]);
    } finally {
      clearTimeout(timer);
    }
  });
}

type EachRegistrar<Args extends unknown[]> = (name: string, body: (...args: Args) => unknown, timeoutMs?: number) => void;

interface It {
  (name: string, body: () => unknown, timeoutMs?: number): void;
  /** `it.each(rows)(name, body)`: one test per row; a row that is an array is spread into the body (typed as vitest types it). */
  // deno-lint-ignore no-explicit-any
  each<Row extends any[] | [any]>(rows: readonly Row[]): EachRegistrar<Row>;
  each<Row>(rows: readonly Row[]): EachRegistrar<[Row]>;
}

export const it: It = Object.assign((name: string, body: () => unknown, timeoutMs?: number) => register(name, body, timeoutMs), {
  each<Row>(rows: readonly Row[]) {
    return (name: string, body: TestBody, timeoutMs?: number) => {
      for (const row of rows) {
        const args = (Array.isArray(row) ? row : [row]) as never[];
        register(format(name, ...args), () => body(...args), timeoutMs);
      }
    };
  },
}) as It;

export const test = it;

/**
 * vitest's `inject` reads what the global setup provided; here the Node runner that starts the
 * Luma simulator (test/deno/run-deno-tests.ts) passes the same values as environment variables.
 */
const PROVIDED_AS_ENV: Record<string, string> = { lumaSimulatorUrl: 'LUMA_SIMULATOR_URL' };

export function inject(key: 'lumaSimulatorUrl'): string {
  const variable = PROVIDED_AS_ENV[key];
  const value = variable ? Deno.env.get(variable) : undefined;
  if (!value) throw new Error(`inject('${key}'): ${variable} is not set. Run the core tests under Deno with \`node test/deno/run-deno-tests.ts\`, which starts the Luma simulator.`);
  return value;
}
