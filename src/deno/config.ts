import type { LumaClientOptions } from '../core/luma/luma-client.ts';
import type { Retention } from '../core/account/deletes-log.ts';
import { readSharedSettings } from '../core/settings.ts';

/**
 * The self-hosted server's settings, from environment variables. Reading goes through `get` so
 * this file stays free of `Deno.env` (and testable anywhere). Problems name the variable, never its
 * value: the two required ones are secrets.
 */
export interface SelfHostedConfig {
  /** The one user's Luma API key. */
  lumaApiKey: string;
  /** What MCP clients must send as `Authorization: Bearer …`. */
  bearerToken: string;
  luma: Omit<LumaClientOptions, 'apiKey'>;
  port: number;
  hostname: string;
  /** Browser origins allowed besides the server's own (Origin header; DNS-rebinding defence). */
  allowedOrigins: string[];
  retention: Retention;
}

/** A guessable token would be the only thing between the internet and someone's Luma account. */
export const MIN_BEARER_TOKEN_LENGTH = 32;
export const DEFAULT_PORT = 8000;
/** Loopback unless told otherwise: a public listener should sit behind TLS (see the README). */
export const DEFAULT_HOSTNAME = '127.0.0.1';

export function readSelfHostedConfig(get: (name: string) => string | undefined): { ok: true; config: SelfHostedConfig } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const lumaApiKey = get('LUMA_API_KEY')?.trim() ?? '';
  if (!lumaApiKey) problems.push('LUMA_API_KEY is not set (your Luma Dream Machine API key)');
  const bearerToken = get('MCP_BEARER_TOKEN') ?? '';
  if (!bearerToken) problems.push('MCP_BEARER_TOKEN is not set (the token MCP clients must send, e.g. `openssl rand -base64 32`)');
  else if (bearerToken.length < MIN_BEARER_TOKEN_LENGTH) problems.push(`MCP_BEARER_TOKEN is shorter than ${MIN_BEARER_TOKEN_LENGTH} characters`);
  else if (/\s/.test(bearerToken)) problems.push('MCP_BEARER_TOKEN contains whitespace, which an Authorization header cannot carry');

  const baseUrl = get('LUMA_API_BASE_URL');
  if (baseUrl && !isHttpUrl(baseUrl)) problems.push('LUMA_API_BASE_URL is not an http(s) URL');

  const port = integer(get('PORT'), DEFAULT_PORT);
  if (port === undefined || port < 0 || port > 65_535) problems.push('PORT is not a port number (0–65535)');

  const allowedOrigins = (get('ALLOWED_ORIGINS') ?? '').split(',').map((origin) => origin.trim()).filter(Boolean);
  for (const origin of allowedOrigins) {
    if (!isHttpUrl(origin) || new URL(origin).origin !== origin) problems.push(`ALLOWED_ORIGINS has an entry that is not an origin such as https://app.example.com: ${origin}`);
  }

  const shared = readSharedSettings(get);

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      lumaApiKey,
      bearerToken,
      luma: shared.luma,
      port: port!,
      hostname: get('HOST') || DEFAULT_HOSTNAME,
      allowedOrigins,
      retention: shared.retention,
    },
  };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** A non-negative integer, the fallback when unset, `undefined` when unreadable. */
function integer(value: string | undefined, fallback: number | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

