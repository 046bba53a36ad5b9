/**
 * The simulator's control API under /__simulator/, so that tests running in another process (the
 * Worker under test, end-to-end tests) can seed accounts, inject faults and read the request
 * record over HTTP. It needs no Luma key: the simulator is a loopback-only test fixture.
 */
import { validateFaultRule } from './faults.ts';
import type { LumaSimulator, RequestFilter, SimulatedAccount } from './luma-simulator.ts';
import { errorResponse, json } from './responses.ts';

export const CONTROL_PREFIX = '/__simulator';

const ENDPOINTS = [
  'GET    /__simulator/requests?method=&pathPrefix=&apiKey=   the request record',
  'DELETE /__simulator/requests                               forget recorded requests',
  'POST   /__simulator/faults      FaultRule | FaultRule[]    inject faults',
  'DELETE /__simulator/faults                                 remove all faults',
  'POST   /__simulator/accounts    {apiKey, generations?, creditBalance?, forbidden?, refuseDeleteBodies?}',
  'GET    /__simulator/accounts/{apiKey}                      {generations, deletedIds}',
  'POST   /__simulator/delay       {ms}                       delay every API answer',
  'POST   /__simulator/reset                                  back to the starting state',
];

const ACCOUNT_KEYS: ReadonlySet<string> = new Set(['apiKey', 'generations', 'creditBalance', 'forbidden', 'refuseDeleteBodies']);

export async function handleControlRequest(simulator: LumaSimulator, request: Request, url: URL): Promise<Response> {
  const path = url.pathname.slice(CONTROL_PREFIX.length).replace(/\/$/, '');
  const method = request.method.toUpperCase();
  try {
    switch (path) {
      case '':
        return method === 'GET' ? json(200, { endpoints: ENDPOINTS }) : notAllowed('GET');
      case '/requests':
        if (method === 'GET') return json(200, simulator.requests(requestFilter(url.searchParams)));
        if (method === 'DELETE') return done(() => simulator.clearRequests());
        return notAllowed('GET, DELETE');
      case '/faults':
        if (method === 'POST') {
          const body = await readJson(request);
          // Check every rule before adding any, so a bad array leaves the simulator unchanged.
          const rules = (Array.isArray(body) ? body : [body]).map(validateFaultRule);
          for (const rule of rules) simulator.injectFault(rule);
          return json(201, { injected: rules.length });
        }
        if (method === 'DELETE') return done(() => simulator.clearFaults());
        return notAllowed('POST, DELETE');
      case '/accounts': {
        if (method !== 'POST') return notAllowed('POST');
        const { apiKey, ...account } = accountBody(await readJson(request));
        simulator.addAccount(apiKey, account);
        return json(201, { apiKey, generations: simulator.generations(apiKey) });
      }
      case '/delay': {
        if (method !== 'POST') return notAllowed('POST');
        const { ms } = requireObject(await readJson(request));
        return done(() => simulator.setDelay(ms as number));
      }
      case '/reset':
        return method === 'POST' ? done(() => simulator.reset()) : notAllowed('POST');
    }
    if (path.startsWith('/accounts/')) {
      if (method !== 'GET') return notAllowed('GET');
      const apiKey = decodeURIComponent(path.slice('/accounts/'.length));
      if (!simulator.hasAccount(apiKey)) return errorResponse(404, 'No simulator account with that key');
      return json(200, { generations: simulator.generations(apiKey), deletedIds: simulator.deletedIds(apiKey) });
    }
    return errorResponse(404, `Unknown simulator control endpoint; see GET ${CONTROL_PREFIX}`);
  } catch (error) {
    // Validation failures (TypeError), unparsable JSON (SyntaxError) and bad escapes (URIError) are the caller's mistake.
    if (error instanceof TypeError || error instanceof SyntaxError || error instanceof URIError) return errorResponse(400, error.message);
    throw error;
  }
}

function requestFilter(params: URLSearchParams): RequestFilter {
  const filter: RequestFilter = {};
  const method = params.get('method');
  const pathPrefix = params.get('pathPrefix');
  const apiKey = params.get('apiKey');
  if (method !== null) filter.method = method;
  if (pathPrefix !== null) filter.pathPrefix = pathPrefix;
  if (apiKey !== null) filter.apiKey = apiKey;
  return filter;
}

function accountBody(body: unknown): SimulatedAccount & { apiKey: string } {
  const raw = requireObject(body);
  const unknownKeys = Object.keys(raw).filter((key) => !ACCOUNT_KEYS.has(key));
  if (unknownKeys.length > 0) throw new TypeError(`unknown account field(s): ${unknownKeys.join(', ')}`);
  if (typeof raw.apiKey !== 'string') throw new TypeError('apiKey must be a string');
  // The remaining fields are checked by addAccount.
  return raw as unknown as SimulatedAccount & { apiKey: string };
}

function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new TypeError('the request body must be a JSON object');
  return body as Record<string, unknown>;
}

async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === '') throw new TypeError('a JSON request body is required');
  return JSON.parse(text) as unknown;
}

function done(action: () => void): Response {
  action();
  return new Response(null, { status: 204 });
}

function notAllowed(allow: string): Response {
  return errorResponse(405, 'Method Not Allowed', { Allow: allow });
}
