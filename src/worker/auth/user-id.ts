/**
 * The opaque user ID that travels in OAuth props and names the user's Durable Object.
 *
 * Luma's API has no account identity to sign in with: the API key is the identity. So the ID is
 * an HMAC-SHA-256 of the key under a server secret: the same key always reaches the same user
 * (and their deletes log), while the ID reveals nothing about the key to anyone without the
 * secret. base64url has no `:`, which the OAuth library reserves in user IDs.
 */
export async function userIdForLumaKey(lumaKey: string, userIdSecret: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', encoder.encode(userIdSecret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(`luma-api-key:${lumaKey}`)));
  let binary = '';
  for (const byte of mac) binary += String.fromCharCode(byte);
  return `u_${btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}
