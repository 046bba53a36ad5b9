/**
 * Encrypts a user's Luma API key for storage, with AES-256-GCM under a key derived (HKDF-SHA-256)
 * from the server secret and the user's ID. Deriving per user means a ciphertext copied into
 * another user's storage does not decrypt there; the user ID is also bound in as associated data.
 * Web Crypto only, so it runs anywhere.
 */
export interface SealedKey {
  /** Format version, so the scheme can change without guessing. */
  v: 1;
  iv: string;
  ciphertext: string;
}

const encoder = new TextEncoder();

async function deriveKey(serverSecret: string, userId: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(serverSecret), 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: encoder.encode('luma-mcp/luma-key/v1'), info: encoder.encode(userId) },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

export async function sealLumaKey(lumaKey: string, serverSecret: string, userId: string): Promise<SealedKey> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await deriveKey(serverSecret, userId);
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(userId) },
    key,
    encoder.encode(lumaKey),
  );
  return { v: 1, iv: toBase64(iv), ciphertext: toBase64(new Uint8Array(ciphertext)) };
}

/** Throws when the ciphertext was tampered with, or was sealed for another user or secret. */
export async function openLumaKey(sealed: SealedKey, serverSecret: string, userId: string): Promise<string> {
  const key = await deriveKey(serverSecret, userId);
  const plaintext = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: fromBase64(sealed.iv), additionalData: encoder.encode(userId) },
    key,
    fromBase64(sealed.ciphertext),
  );
  return new TextDecoder().decode(plaintext);
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
