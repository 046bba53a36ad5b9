import { createRequestStateCodec, type RequestStateCodec } from '@modelcontextprotocol/server';
import type { Question } from '../tools/tool-definition.ts';

/**
 * The sealed `requestState` of a 2026-07-28 confirmation. Between asking and the answer the server
 * keeps nothing: the client carries this state back with the person's answer. It is HMAC-sealed
 * (the SDK's codec), bound to the user it was asked of, names the tool and a digest of the exact
 * items, and expires, so an answer counts only for the question it answers.
 */
export interface ConfirmationState {
  tool: string;
  /** SHA-256 of the items (generation IDs), base64url. */
  items: string;
}

/** How long a person has to answer; past it the answer is refused and nothing happens. */
export const CONFIRMATION_TTL_SECONDS = 600;

export type ConfirmationStates = RequestStateCodec<ConfirmationState>;

/**
 * A codec for one principal (the user ID; the owner on a single-user server). `key` comes from
 * a server secret (see {@link deriveRequestStateKey}); there is no default.
 */
export function confirmationStates(key: Uint8Array, principal: string): ConfirmationStates {
  return createRequestStateCodec<ConfirmationState>({ key, ttlSeconds: CONFIRMATION_TTL_SECONDS, bind: () => `confirmation\0${principal}` });
}

export async function stateFor(question: Question): Promise<ConfirmationState> {
  return { tool: question.subject.tool, items: await digest(question.subject.items) };
}

export async function matches(state: ConfirmationState, question: Question): Promise<boolean> {
  return state.tool === question.subject.tool && state.items === (await digest(question.subject.items));
}

/**
 * The codec's 32-byte key, derived (HKDF-SHA-256) from a server secret with its own label, so the
 * secret's other uses (encrypting stored keys, the self-hosted bearer token) never share a key.
 */
export async function deriveRequestStateKey(secret: string): Promise<Uint8Array> {
  const encoder = new TextEncoder();
  const material = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: encoder.encode('luma-mcp/request-state/v1'), info: encoder.encode('confirmation') },
    material,
    256,
  );
  return new Uint8Array(bits);
}

async function digest(items: string[]): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(items))));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
