import { loadavg, cpus, totalmem } from 'node:os';

/** Latency figures of one series, in milliseconds. */
export interface Summary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile: the smallest sample with at least p% of samples at or below it. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarise(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    mean: round(sorted.length ? sum / sorted.length : Number.NaN),
    min: round(sorted[0] ?? Number.NaN),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
  };
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function ratio(a: number, b: number): number {
  return round(a / b, 3);
}

/** A shared clock for the main thread and the simulator's thread (epoch milliseconds, sub-ms resolution). */
export const clock = () => performance.timeOrigin + performance.now();

/**
 * The machine's load through the run, sampled every few seconds: these machines are shared, so a
 * reader needs to know how busy it was while the numbers were taken.
 */
export class LoadSampler {
  private readonly samples: { at: string; load1: number; load5: number; load15: number }[] = [];
  private timer?: NodeJS.Timeout;

  start(everyMs = 5_000): this {
    this.take();
    this.timer = setInterval(() => this.take(), everyMs);
    this.timer.unref();
    return this;
  }

  stop() {
    clearInterval(this.timer);
    this.take();
    const load1 = this.samples.map((sample) => sample.load1);
    return {
      cpus: cpus().length,
      cpu_model: cpus()[0]?.model ?? 'unknown',
      total_memory_gib: round(totalmem() / 2 ** 30, 1),
      load1_min: round(Math.min(...load1)),
      load1_mean: round(load1.reduce((a, b) => a + b, 0) / load1.length),
      load1_max: round(Math.max(...load1)),
      samples: this.samples,
    };
  }

  private take() {
    const [load1, load5, load15] = loadavg() as [number, number, number];
    this.samples.push({ at: new Date().toISOString(), load1: round(load1), load5: round(load5), load15: round(load15) });
  }
}
