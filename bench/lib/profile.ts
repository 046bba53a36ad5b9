import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * CPU profiles of a Worker under `wrangler dev`, through wrangler's DevTools (inspector) port:
 * the V8 sampling profiler of the isolate that runs the Worker and its Durable Objects. Used to
 * find where the product's CPU time goes compared with the baseline's.
 */
export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number; scriptId: string };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export class InspectorSession {
  private readonly socket: WebSocket;
  private next = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  /** Script URLs by scriptId, from Debugger.scriptParsed (profiles name bundles by file name only). */
  readonly scripts = new Map<string, string>();

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as {
        id?: number;
        method?: string;
        params?: { scriptId: string; url: string };
        result?: unknown;
        error?: { message: string };
      };
      if (message.method === 'Debugger.scriptParsed' && message.params) this.scripts.set(message.params.scriptId, message.params.url);
      if (message.id === undefined) return;
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error) waiter.reject(new Error(message.error.message));
      else waiter.resolve(message.result);
    });
  }

  static async connect(inspectorPort: number): Promise<InspectorSession> {
    const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as { webSocketDebuggerUrl: string }[];
    const url = targets[0]?.webSocketDebuggerUrl;
    if (!url) throw new Error('no inspector target');
    // wrangler's inspector proxy wants a local DevTools Origin (its check against DNS rebinding).
    const socket = new WebSocket(url, { headers: { Origin: 'http://localhost' } } as unknown as string[]);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error('could not open the inspector socket')), { once: true });
    });
    return new InspectorSession(socket);
  }

  send<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = ++this.next;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  close() {
    this.socket.close();
  }
}

/** Profiles the Worker's isolate while `load` runs; `scripts` maps scriptIds to script URLs. */
export async function profileWhile(
  inspectorPort: number,
  load: () => Promise<void>,
  samplingIntervalUs = 100,
): Promise<{ profile: CpuProfile; scripts: Map<string, string> }> {
  const session = await InspectorSession.connect(inspectorPort);
  try {
    // Enabling the debugger replays every script it knows (with its full URL); then it is turned
    // off again so that it does not slow down what is measured.
    await session.send('Debugger.enable');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await session.send('Debugger.disable');
    await session.send('Profiler.enable');
    await session.send('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
    await session.send('Profiler.start');
    await load();
    const { profile } = await session.send<{ profile: CpuProfile }>('Profiler.stop');
    return { profile, scripts: session.scripts };
  } finally {
    session.close();
  }
}

/** What a source file belongs to: a package, a directory of the project's own code, or the runtime. */
export function ownerOf(source: string, functionName: string): string {
  if (!source) return functionName.startsWith('(') ? functionName : '(runtime: native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
  if (pkg) return pkg[1]!;
  const own = /(?:^|\/)(src|bench|simulator)\/(.*)$/.exec(source);
  if (own) return `${own[1]}/${own[2]!.includes('/') ? own[2]!.split('/')[0] : own[2]}`;
  if (/^(node|node-internal|workerd|cloudflare):/.test(source)) return `(runtime: ${source.split(/[:/]/)[0]})`;
  if (/miniflare|wrangler/.test(source)) return '(wrangler dev wrappers)';
  return source.replace(/^.*\//, '');
}

/**
 * Maps a frame of wrangler's bundle back to its source file through the bundle's source map
 * (wrangler writes it next to the bundle, which the frame's URL names).
 */
export function sourceMapResolver(scripts: Map<string, string>): (frame: ProfileNode['callFrame']) => { source: string; name: string } {
  const maps = new Map<string, SourceMap | null>();
  return (frame) => {
    const name = frame.functionName;
    const url = scripts.get(frame.scriptId) ?? frame.url;
    if (!url.startsWith('file://') || !url.includes('/.wrangler/tmp/')) return { source: url, name };
    let map = maps.get(url);
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(url)}.map`, 'utf8')));
      } catch {
        map = null;
      }
      maps.set(url, map);
    }
    const entry = map?.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string } | undefined;
    return { source: entry?.originalSource ?? frame.url, name };
  };
}

export interface ProfileSummary {
  /** Samples taken while the isolate ran JavaScript (or the runtime on its behalf), and their length. */
  samples: number;
  sampling_interval_ms: number;
  /** Samples × interval: the isolate's CPU time, ms. */
  cpu_ms: number;
  /** CPU time by owner (package or project directory), ms. */
  by_owner: Record<string, number>;
  /** Top functions by self time, ms. */
  top_functions: { function: string; owner: string; self_ms: number }[];
}

/**
 * Self time by owner and by function. workerd takes samples only while the isolate is running, so
 * every sample stands for one sampling interval of CPU (the time deltas also span idle gaps).
 */
export function summariseProfile(
  profile: CpuProfile,
  samplingIntervalUs: number,
  resolve: (frame: ProfileNode['callFrame']) => { source: string; name: string } = (frame) => ({ source: frame.url, name: frame.functionName }),
): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const counts = new Map<number, number>();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  const byOwner: Record<string, number> = {};
  const byFunction = new Map<string, { owner: string; samples: number }>();
  let total = 0;
  for (const [id, samples] of counts) {
    const frame = resolve(nodes.get(id)!.callFrame);
    if (frame.name === '(idle)') continue;
    total += samples;
    const owner = ownerOf(frame.source, frame.name);
    byOwner[owner] = (byOwner[owner] ?? 0) + samples;
    const key = `${frame.name || '(anonymous)'}\u0000${owner}`;
    const entry = byFunction.get(key) ?? { owner, samples: 0 };
    entry.samples += samples;
    byFunction.set(key, entry);
  }
  const toMs = (samples: number) => Math.round(samples * samplingIntervalUs) / 1000;
  return {
    samples: total,
    sampling_interval_ms: samplingIntervalUs / 1000,
    cpu_ms: toMs(total),
    by_owner: Object.fromEntries(Object.entries(byOwner).sort((a, b) => b[1] - a[1]).map(([owner, samples]) => [owner, toMs(samples)])),
    top_functions: [...byFunction]
      .sort((a, b) => b[1].samples - a[1].samples)
      .slice(0, 30)
      .map(([key, { owner, samples }]) => ({ function: key.split('\u0000')[0]!, owner, self_ms: toMs(samples) })),
  };
}
