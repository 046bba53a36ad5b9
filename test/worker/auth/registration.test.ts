import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { AuthProps } from '../../../src/worker/env.ts';
import { CLIENT_METADATA_LIMITS } from '../../../src/worker/auth/client-metadata.ts';
import { OAuthAuthorizationServer } from '@cloudflare/workers-oauth-provider';
import { approveWithKey } from '../../support/consent-form.ts';
import { authorizationUrl, exchangeCode, pkcePair, type RegisteredClient } from '../helpers/oauth.ts';
import { ORIGIN, simulator, workerFetch } from '../helpers/worker.ts';

const REDIRECT = 'http://127.0.0.1:33418/callback';

async function register(metadata: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await workerFetch('/register', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', ...metadata }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('registration metadata is bounded', { timeout: 30_000 }, () => {
  it('accepts a 200-character client_name and refuses 201 with invalid_client_metadata', async () => {
    expect((await register({ client_name: 'n'.repeat(200) })).status).toBe(201);
    const refused = await register({ client_name: 'n'.repeat(201) });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_client_metadata');
    expect(String(refused.body.error_description)).toContain('client_name');
  });

  it('refuses a 100,000-character name, and a long language variant of the name', async () => {
    for (const metadata of [{ client_name: 'x'.repeat(100_000) }, { client_name: 'ok', 'client_name#ja': 'x'.repeat(300) }]) {
      const refused = await register(metadata);
      expect(refused.status).not.toBe(201);
      expect([400, 413]).toContain(refused.status);
    }
  });

  it('limits the number and length of redirect URIs', async () => {
    const many = Array.from({ length: CLIENT_METADATA_LIMITS.redirectUris + 1 }, (_, i) => `http://127.0.0.1:${4000 + i}/cb`);
    const tooMany = await register({ client_name: 'Many', redirect_uris: many });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toBe('invalid_client_metadata');
    expect((await register({ client_name: 'Enough', redirect_uris: many.slice(0, CLIENT_METADATA_LIMITS.redirectUris) })).status).toBe(201);

    const long = `http://127.0.0.1:4000/${'p'.repeat(CLIENT_METADATA_LIMITS.redirectUriChars)}`;
    const tooLong = await register({ client_name: 'Long', redirect_uris: [long] });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error).toBe('invalid_client_metadata');
  });

  it('limits other fields and the whole document', async () => {
    const longContact = await register({ client_name: 'C', contacts: ['a'.repeat(CLIENT_METADATA_LIMITS.otherStringChars + 1)] });
    expect(longContact.status).toBe(400);
    const manyContacts = await register({ client_name: 'C', contacts: Array.from({ length: 21 }, (_, i) => `c${i}@example.com`) });
    expect(manyContacts.status).toBe(400);
    // Over the document limit: refused before it is parsed.
    const huge = await register({ client_name: 'H', jwks: { keys: [{ kty: 'oct', k: 'k'.repeat(20_000) }] } });
    expect(huge.status).toBe(413);
  });
});

describe('client names are cut and escaped wherever they appear', { timeout: 30_000 }, () => {
  /** A client stored before the limits existed, with a name of 100,000 characters. */
  async function legacyClient(name: string): Promise<RegisteredClient> {
    const clientId = `legacy-${crypto.randomUUID()}`;
    await env.OAUTH_KV.put(
      `client:${clientId}`,
      JSON.stringify({
        clientId,
        redirectUris: [REDIRECT],
        clientName: name,
        tokenEndpointAuthMethod: 'none',
        grantTypes: ['authorization_code', 'refresh_token'],
        responseTypes: ['code'],
        registrationDate: Math.floor(Date.now() / 1000),
      }),
    );
    return { clientId, redirectUri: REDIRECT };
  }

  it('shows a cut, escaped name on the consent page, and stores at most 200 characters in the token props', async () => {
    const name = `<b>Evil</b>\u202e${'W'.repeat(100_000)}`;
    const client = await legacyClient(name);
    const { verifier, challenge } = await pkcePair();
    const page = await workerFetch(authorizationUrl(client, challenge).toString());
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).not.toContain('<b>Evil</b>');
    expect(html).toContain('&#60;b&#62;Evil&#60;/b&#62;');
    expect(html).not.toContain('\u202e');
    expect(html).not.toContain('W'.repeat(100));
    expect(html.length).toBeLessThan(20_000);

    const { apiKey } = await simulator.createAccount(1);
    const redirect = await approveWithKey(authorizationUrl(client, challenge), apiKey, workerFetch);
    const tokens = (await (await exchangeCode(client, redirect.searchParams.get('code')!, verifier)).json()) as { access_token: string };
    const summary = await new OAuthAuthorizationServer({ issuer: ORIGIN, resources: [ORIGIN] }).getOAuthApi(env).unwrapToken<AuthProps>(tokens.access_token);
    expect(summary).not.toBeNull();
    expect([...summary!.grant.props.clientName].length).toBeLessThanOrEqual(200);
    expect(summary!.grant.props.clientName.startsWith('<b>Evil</b> W')).toBe(true);
    expect(summary!.grant.props.clientName.endsWith('…')).toBe(true);
  });
});
