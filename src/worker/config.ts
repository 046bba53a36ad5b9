import type { Env } from './env.ts';
import type { LumaClientOptions } from '../core/luma/luma-client.ts';
import type { Retention } from '../core/account/deletes-log.ts';
import { readSharedSettings } from '../core/settings.ts';

/** Secrets shorter than this are refused: they would be guessable. */
const MIN_SECRET_LENGTH = 32;
const REQUIRED_SECRETS = ['KEY_ENCRYPTION_SECRET', 'USER_ID_SECRET'] as const;

export interface Secrets {
  keyEncryptionSecret: string;
  userIdSecret: string;
}

/**
 * The Worker's secrets, or the list of what is wrong with them. There is deliberately no fallback
 * value: a deployed Worker without its secrets must refuse to run. Local development gets random
 * ones written to `.dev.vars` by `npm start` (scripts/ensure-dev-vars.mjs).
 */
export function readSecrets(env: Env): { ok: true; secrets: Secrets } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  for (const name of REQUIRED_SECRETS) {
    const value = env[name];
    if (!value) problems.push(`${name} is not set`);
    else if (value.length < MIN_SECRET_LENGTH) problems.push(`${name} is shorter than ${MIN_SECRET_LENGTH} characters`);
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, secrets: { keyEncryptionSecret: env.KEY_ENCRYPTION_SECRET!, userIdSecret: env.USER_ID_SECRET! } };
}

/** The answer every request gets while the secrets are missing. Names them, never their values. */
export function misconfiguredResponse(problems: string[]): Response {
  const text =
    `This server is not configured: ${problems.join('; ')}.\n` +
    `Set each with \`wrangler secret put <NAME>\` (32+ random characters, e.g. \`openssl rand -base64 32\`), ` +
    `or for local development run \`npm start\`, which creates .dev.vars with random values.\n`;
  return new Response(text, { status: 503, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });
}

/** Luma client settings from the Worker's variables, with the client's defaults where unset. */
export function lumaClientSettings(env: Env): Omit<LumaClientOptions, 'apiKey'> {
  return readSharedSettings((name) => variable(env, name)).luma;
}

/** How much of each user's deletes log is kept. */
export function retentionSettings(env: Env): Retention {
  return readSharedSettings((name) => variable(env, name)).retention;
}

function variable(env: Env, name: string): string | undefined {
  const value = (env as unknown as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}
