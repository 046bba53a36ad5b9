import { describe, expect, it } from 'vitest';
import { bodyLimitFor, boundRequestBody, KiB } from '../../../src/core/http/body-limit.ts';

const MiB = 1024 * KiB;

/** A body of `total` bytes in 16 KiB chunks that records how much of it was pulled. */
function countingStream(total: number): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let sent = 0;
  const chunk = new Uint8Array(16 * KiB).fill(0x61);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      const next = chunk.subarray(0, Math.min(chunk.byteLength, total - sent));
      sent += next.byteLength;
      controller.enqueue(next);
    },
  });
  return { stream, pulled: () => sent };
}

describe('boundRequestBody', () => {
  it('refuses a declared 8 MiB body with 413 without reading it', async () => {
    const { stream, pulled } = countingStream(8 * MiB);
    const request = new Request('http://localhost/mcp', { method: 'POST', body: stream, headers: { 'Content-Length': String(8 * MiB) } });
    const result = await boundRequestBody(request, 64 * KiB);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.response.status).toBe(413);
    expect(pulled()).toBeLessThanOrEqual(32 * KiB);
  });

  it('stops reading an undeclared body just past the limit', async () => {
    const { stream, pulled } = countingStream(8 * MiB);
    const request = new Request('http://localhost/mcp', { method: 'POST', body: stream });
    const result = await boundRequestBody(request, 64 * KiB);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.response.status).toBe(413);
    expect(pulled()).toBeLessThanOrEqual(64 * KiB + 48 * KiB);
  });

  it('passes a body at the limit through intact', async () => {
    const body = 'x'.repeat(64 * KiB);
    const result = await boundRequestBody(new Request('http://localhost/mcp', { method: 'POST', body }), 64 * KiB);
    expect(result.ok).toBe(true);
    if (result.ok) expect(await result.request.text()).toBe(body);
  });

  it('leaves requests without a body alone', async () => {
    const request = new Request('http://localhost/sse');
    const result = await boundRequestBody(request, 1);
    expect(result).toEqual({ ok: true, request });
  });

  it('has a limit for every path, smallest for the OAuth forms', () => {
    expect(bodyLimitFor('/mcp')).toBe(64 * KiB);
    expect(bodyLimitFor('/sse/message')).toBe(64 * KiB);
    expect(bodyLimitFor('/authorize')).toBe(8 * KiB);
    expect(bodyLimitFor('/token')).toBe(8 * KiB);
    expect(bodyLimitFor('/register')).toBe(16 * KiB);
    expect(bodyLimitFor('/anything-else')).toBe(64 * KiB);
  });
});
