/**
 * Which browser origins may talk to the MCP endpoints (DNS-rebinding protection, MCP 2025-11-25
 * "Streamable HTTP → Security Warning"). Only browsers send `Origin`; desktop and server-side
 * clients (Claude Desktop via mcp-remote, Cursor, claude.ai and ChatGPT connectors) send none and
 * are not affected.
 *
 * `ALLOWED_ORIGINS` is a comma-separated list of origins (`https://app.example.com`) and two
 * keywords:
 * - `self`: the origin the Worker is reached at, but only when the browser has verified that host
 *   name: over HTTPS (its certificate) or on a loopback name. Over plain HTTP the host name is
 *   whatever the attacker's DNS said, so "same origin" would admit exactly the rebinding attack.
 * - `loopback`: `http(s)://localhost`, `127.0.0.0/8` and `[::1]` on any port: pages served from
 *   the person's own machine, such as the MCP Inspector's web UI. An attacker's site cannot have
 *   one of these origins, whatever its DNS says.
 * Unset or empty means `self,loopback`. Entries that are not an origin are ignored, so a typo
 * allows nothing rather than everything.
 */
export interface OriginPolicy {
  self: boolean;
  loopback: boolean;
  origins: ReadonlySet<string>;
}

const DEFAULT_POLICY = 'self,loopback';

export function parseOriginPolicy(value: string | undefined): OriginPolicy {
  const entries = (value ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
  if (entries.length === 0) return parseOriginPolicy(DEFAULT_POLICY);
  const policy = { self: false, loopback: false, origins: new Set<string>() };
  for (const entry of entries) {
    const keyword = entry.toLowerCase();
    if (keyword === 'self') policy.self = true;
    else if (keyword === 'loopback') policy.loopback = true;
    else {
      const origin = canonicalOrigin(entry);
      if (origin) policy.origins.add(origin);
    }
  }
  return policy;
}

/** Whether a request to `requestUrl` carrying this `Origin` header may be served. */
export function isOriginAllowed(originHeader: string, requestUrl: URL, policy: OriginPolicy): boolean {
  const origin = canonicalOrigin(originHeader);
  if (!origin) return false; // includes the opaque origin "null" (sandboxed frames, file: pages)
  if (policy.origins.has(origin)) return true;
  const url = new URL(origin);
  if (policy.loopback && isLoopbackHostname(url.hostname)) return true;
  if (policy.self && origin === requestUrl.origin) {
    return requestUrl.protocol === 'https:' || isLoopbackHostname(requestUrl.hostname);
  }
  return false;
}

/**
 * RFC 8252 §7.3 loopback: `localhost`, 127.0.0.0/8 and ::1 (the same set the OAuth provider
 * accepts plain HTTP on).
 */
export function isLoopbackHostname(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]' || host === '::1') return true;
  const ipv4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return ipv4 !== null && ipv4.slice(1).every((octet) => Number(octet) <= 255);
}

/** `scheme://host[:port]` for an http(s) origin written exactly as one; otherwise undefined. */
function canonicalOrigin(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  // An origin has no path, query, fragment or credentials; "https://a.com/x" is a mistake, not an origin.
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) return undefined;
  return url.origin;
}
