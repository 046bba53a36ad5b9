import { describe, expect, it } from 'vitest';
import { bearerCheck } from '../../../src/deno/bearer-auth.ts';

const TOKEN = 'the-right-token-0123456789-abcdefghij';
const request = (authorization?: string) => new Request('http://localhost/mcp', { method: 'POST', headers: authorization ? { Authorization: authorization } : {} });

describe('bearerCheck', () => {
  it('lets the right token through, whatever the scheme\'s case', async () => {
    const check = await bearerCheck(TOKEN);
    expect(await check(request(`Bearer ${TOKEN}`))).toBeNull();
    expect(await check(request(`bearer ${TOKEN}`))).toBeNull();
  });

  it('answers 401 with a challenge, and invalid_token only when a token was sent', async () => {
    const check = await bearerCheck(TOKEN);
    const missing = await check(request());
    expect(missing?.status).toBe(401);
    expect(missing?.headers.get('WWW-Authenticate')).toBe('Bearer realm="luma-mcp"');
    for (const wrong of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, 'Bearer', `Bearer ${TOKEN} extra`]) {
      const denied = await check(request(wrong));
      expect(denied?.status, wrong).toBe(401);
      expect(await denied!.text()).not.toContain(TOKEN.slice(0, 10));
    }
    expect((await check(request('Bearer nope')))?.headers.get('WWW-Authenticate')).toContain('error="invalid_token"');
  });
});
