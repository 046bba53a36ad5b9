import { describe, expect, it } from 'vitest';
import { readSelfHostedConfig } from '../../../src/deno/config.ts';

const TOKEN = 'a-bearer-token-that-is-long-enough-0123';
const KEY = 'luma-key-secret-value';

describe('readSelfHostedConfig', () => {
  it('reads the two secrets and fills in the defaults', () => {
    const result = readSelfHostedConfig((name) => ({ LUMA_API_KEY: KEY, MCP_BEARER_TOKEN: TOKEN })[name]);
    expect(result).toEqual({
      ok: true,
      config: {
        lumaApiKey: KEY,
        bearerToken: TOKEN,
        luma: { baseUrl: undefined, timeoutMs: undefined, retry: { maxRetries: undefined, baseDelayMs: undefined } },
        port: 8000,
        hostname: '127.0.0.1',
        allowedOrigins: [],
        retention: { maxEntries: 1000, maxAgeDays: 90 },
      },
    });
  });

  it('takes the optional settings', () => {
    const env: Record<string, string> = {
      LUMA_API_KEY: KEY,
      MCP_BEARER_TOKEN: TOKEN,
      LUMA_API_BASE_URL: 'http://127.0.0.1:8788',
      LUMA_TIMEOUT_MS: '500',
      LUMA_MAX_RETRIES: '0',
      PORT: '0',
      HOST: '0.0.0.0',
      ALLOWED_ORIGINS: 'https://a.example, http://localhost:6274',
      DELETES_LOG_MAX_ENTRIES: '10',
    };
    const result = readSelfHostedConfig((name) => env[name]);
    expect(result).toMatchObject({
      ok: true,
      config: {
        luma: { baseUrl: 'http://127.0.0.1:8788', timeoutMs: 500, retry: { maxRetries: 0 } },
        port: 0,
        hostname: '0.0.0.0',
        allowedOrigins: ['https://a.example', 'http://localhost:6274'],
        retention: { maxEntries: 10, maxAgeDays: 90 },
      },
    });
  });

  it('names every problem, and never a secret\'s value', () => {
    const env: Record<string, string> = { LUMA_API_KEY: '  ', MCP_BEARER_TOKEN: 'short-secret', LUMA_API_BASE_URL: 'ftp://x', PORT: '70000', ALLOWED_ORIGINS: 'https://a.example/path' };
    const result = readSelfHostedConfig((name) => env[name]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      expect.stringContaining('LUMA_API_KEY is not set'),
      'MCP_BEARER_TOKEN is shorter than 32 characters',
      'LUMA_API_BASE_URL is not an http(s) URL',
      'PORT is not a port number (0–65535)',
      expect.stringContaining('ALLOWED_ORIGINS has an entry that is not an origin'),
    ]);
    expect(result.problems.join(' ')).not.toContain('short-secret');
  });
});
