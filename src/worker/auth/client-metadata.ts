import type { ClientRegistrationCallbackOptions, ClientRegistrationCallbackResult } from '@cloudflare/workers-oauth-provider';

/**
 * Bounds on what a client may register about itself (RFC 7591). Everything here is self-asserted
 * by whoever calls `/register`, stored, and shown to people, so it is kept small.
 */
export const CLIENT_METADATA_LIMITS = {
  /** `client_name` and its language variants (`client_name#ja`). */
  nameChars: 200,
  redirectUris: 10,
  redirectUriChars: 2000,
  /** Any other string value (URIs, contacts, …). */
  otherStringChars: 2000,
  /** Entries in any other array (`contacts`, `grant_types`, …). */
  arrayEntries: 20,
  /** Top-level members. */
  members: 40,
  /** The whole JSON document, in bytes (the body limit on `/register` refuses larger ones unread). */
  documentBytes: 16 * 1024,
} as const;

/** `invalid_client_metadata` (RFC 7591 §3.2.2) with the reason, or nothing when the metadata is within bounds. */
export function checkClientMetadata({ clientMetadata }: Pick<ClientRegistrationCallbackOptions, 'clientMetadata'>): ClientRegistrationCallbackResult | void {
  const problem = metadataProblem(clientMetadata);
  if (problem) return { code: 'invalid_client_metadata', description: problem, status: 400 };
}

function metadataProblem(metadata: Record<string, unknown>): string | undefined {
  const limits = CLIENT_METADATA_LIMITS;
  if (new TextEncoder().encode(JSON.stringify(metadata)).byteLength > limits.documentBytes) {
    return `The registration document must be at most ${limits.documentBytes} bytes`;
  }
  const members = Object.entries(metadata);
  if (members.length > limits.members) return `At most ${limits.members} metadata members are accepted`;
  for (const [name, value] of members) {
    if (name === 'client_name' || name.startsWith('client_name#')) {
      if (typeof value !== 'string') return `${name} must be a string`;
      if ([...value].length > limits.nameChars) return `${name} must be at most ${limits.nameChars} characters`;
      continue;
    }
    if (name === 'redirect_uris') {
      if (!Array.isArray(value)) continue; // the library reports its own shape errors
      if (value.length > limits.redirectUris) return `At most ${limits.redirectUris} redirect_uris are accepted`;
      if (value.some((uri) => typeof uri === 'string' && uri.length > limits.redirectUriChars)) {
        return `Each redirect URI must be at most ${limits.redirectUriChars} characters`;
      }
      continue;
    }
    const problem = valueProblem(name, value);
    if (problem) return problem;
  }
  return undefined;
}

function valueProblem(name: string, value: unknown): string | undefined {
  const limits = CLIENT_METADATA_LIMITS;
  if (typeof value === 'string') return value.length > limits.otherStringChars ? `${name} must be at most ${limits.otherStringChars} characters` : undefined;
  if (Array.isArray(value)) {
    if (value.length > limits.arrayEntries) return `${name} must have at most ${limits.arrayEntries} entries`;
    for (const entry of value) {
      if (typeof entry === 'string' && entry.length > limits.otherStringChars) return `Each entry of ${name} must be at most ${limits.otherStringChars} characters`;
      if (typeof entry === 'object' && entry !== null) return `${name} must not contain objects`;
    }
  }
  // Objects (a `jwks` set) stay bounded by the document size.
  return undefined;
}

/**
 * A client's name as it may be shown or stored by this server: control characters dropped, runs of
 * white space folded, and at most `max` characters (with an ellipsis). Names registered before
 * the limits, or coming from elsewhere, are cut here.
 */
export function displayClientName(name: string | undefined, max = 80): string {
  const cleaned = (name ?? '')
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...cleaned];
  if (chars.length === 0) return 'An unnamed app';
  return chars.length > max ? `${chars.slice(0, max - 1).join('').trimEnd()}…` : cleaned;
}

/** The longest client name kept in OAuth props and deletes-log entries. */
export const STORED_NAME_CHARS = CLIENT_METADATA_LIMITS.nameChars;
