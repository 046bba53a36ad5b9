import type { LumaClientOptions } from './luma/luma-client.ts';
import { DEFAULT_RETENTION, type Retention } from './account/deletes-log.ts';

/**
 * The settings every runtime reads the same way, from string variables (the Worker's vars, Deno's
 * environment): how the Luma client behaves and how much of the deletes log is kept. Unset, blank
 * or unreadable values mean the default.
 */
export interface SharedSettings {
  luma: Omit<LumaClientOptions, 'apiKey'>;
  retention: Retention;
}

export function readSharedSettings(get: (name: string) => string | undefined): SharedSettings {
  return {
    luma: {
      baseUrl: get('LUMA_API_BASE_URL') || undefined,
      timeoutMs: positiveInteger(get('LUMA_TIMEOUT_MS')),
      retry: {
        maxRetries: nonNegativeInteger(get('LUMA_MAX_RETRIES')),
        baseDelayMs: nonNegativeInteger(get('LUMA_RETRY_BASE_DELAY_MS')),
      },
    },
    retention: {
      maxEntries: positiveInteger(get('DELETES_LOG_MAX_ENTRIES')) ?? DEFAULT_RETENTION.maxEntries,
      maxAgeDays: positiveInteger(get('DELETES_LOG_MAX_AGE_DAYS')) ?? DEFAULT_RETENTION.maxAgeDays,
    },
  };
}

function positiveInteger(value: string | undefined): number | undefined {
  const n = nonNegativeInteger(value);
  return n === 0 ? undefined : n;
}

function nonNegativeInteger(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}
