import { describe, expect, it } from 'vitest';
import { KiB } from '../../../src/core/http/body-limit.ts';
import { connectAs } from '../helpers/oauth.ts';
import { simulator, workerFetch } from '../helpers/worker.ts';

const MiB = 1024 * KiB;

/** 8 MiB offered in 16 KiB chunks, counting what the Worker pulled. */
function eightMiB(): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let sent = 0;
  const chunk = new Uint8Array(16 * KiB).fill(0x7b);
  return {
    stream: new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 8 * MiB) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    }),
    pulled: () => sent,
  };
}

describe('request bodies are bounded before anything parses them', { timeout: 30_000 }, () => {
  it('answers a declared 8 MiB body with 413 on every endpoint that takes one, before authentication and without reading it', async () => {
    for (const path of ['/mcp', '/sse/message?sessionId=x', '/authorize', '/register', '/token']) {
      const { stream, pulled } = eightMiB();
      const response = await workerFetch(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': String(8 * MiB) },
        body: stream,
      });
      expect(response.status, path).toBe(413);
      await response.body?.cancel();
      expect(pulled(), path).toBeLessThan(1 * MiB);
    }
  }, 30_000);

  it('stops reading a streamed body of unknown length soon after the limit', async () => {
    const { stream, pulled } = eightMiB();
    const response = await workerFetch('/mcp', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: stream });
    expect(response.status).toBe(413);
    await response.body?.cancel();
    expect(pulled()).toBeLessThan(1 * MiB);
  });

  it('limits the OAuth forms to much less than MCP messages', async () => {
    const form = `handle=x&luma_api_key=${'k'.repeat(9 * KiB)}`;
    const authorize = await workerFetch('/authorize', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form });
    expect(authorize.status).toBe(413);
    await authorize.body?.cancel();
    const token = await workerFetch('/token', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form });
    expect(token.status).toBe(413);
    await token.body?.cancel();
  });

  it('still serves an authenticated MCP message under the limit', async () => {
    const { apiKey } = await simulator.createAccount(1);
    const { accessToken } = await connectAs(apiKey);
    const padding = 'p'.repeat(60 * KiB);
    const response = await workerFetch('/mcp', {
      method: 'POST',
      headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'big', version: padding } },
      }),
    });
    expect(response.status).toBe(200);
    await response.body?.cancel();
  });
});
