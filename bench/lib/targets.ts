import { request as httpRequest } from 'node:http';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { callDelete, callDeleteModern, closeQuietly, outcomeOf, type ModernClient, type ModernSessionFactory, type SessionFactory } from './sessions.ts';

/**
 * What the benchmark measures, behind one interface: something that deletes one generation by ID.
 * The floor is a bare HTTP DELETE to the simulator; the others are `delete_generation` calls over
 * an MCP session (baseline Worker or product, /mcp or /sse).
 */
export interface Deleter {
  /** Deletes one generation; resolves with the outcome name (`deleted`, an error code, …). */
  delete(generationId: string): Promise<string>;
  /** An MCP `ping` (no tool, no upstream): the cost of the transport and the layers in front of the tool. */
  ping?(): Promise<void>;
  close(): Promise<void>;
}

/** The floor: the same DELETE the Worker sends, straight to the simulator, on a kept-alive connection (fetch, like the SDK). */
export function floorDeleter(simulatorUrl: string, apiKey: string): Deleter {
  return {
    async delete(generationId) {
      const response = await fetch(`${simulatorUrl}/generations/${generationId}`, {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${apiKey}`, Accept: 'application/json' },
      });
      await response.arrayBuffer();
      return response.status === 204 ? 'deleted' : `http_${response.status}`;
    },
    async close() {},
  };
}

/** The floor on a new TCP connection each time: the counterpart of a fresh MCP session. */
export function freshFloorDelete(simulatorUrl: string, apiKey: string, generationId: string): Promise<string> {
  const url = new URL(`/generations/${generationId}`, simulatorUrl);
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'DELETE', agent: false, headers: { Authorization: `Bearer ${apiKey}`, Accept: 'application/json' } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode === 204 ? 'deleted' : `http_${response.statusCode}`));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}

export function mcpDeleter(client: Client, timeoutMs = 30_000): Deleter {
  return {
    async delete(generationId) {
      return outcomeOf(await callDelete(client, generationId, timeoutMs));
    },
    async ping() {
      await client.ping({ timeout: timeoutMs });
    },
    close: () => closeQuietly(client),
  };
}

export async function openMcpDeleter(factory: SessionFactory | ModernSessionFactory): Promise<Deleter> {
  return 'kind' in factory ? mcpDeleter(await factory.open()) : modernDeleter(await factory.open());
}

/** `delete_generation` over MCP 2026-07-28: every call is one self-contained POST. */
export function modernDeleter(client: ModernClient, timeoutMs = 30_000): Deleter {
  return {
    async delete(generationId) {
      return outcomeOf(await callDeleteModern(client, generationId, timeoutMs));
    },
    /** 2026-07-28 has no `ping`: `server/discover` is the request that reaches the server and no tool. */
    async ping() {
      await client.discover({ timeout: timeoutMs });
    },
    async close() {
      try {
        await client.close();
      } catch {
        // nothing to close on a stateless connection
      }
    },
  };
}

/** A plain HTTP DELETE to one of the baseline Worker's hop routes (no MCP): 204 means deleted. */
export function hopDeleter(url: string): Deleter {
  return {
    async delete(generationId) {
      const response = await fetch(`${url}/${generationId}`, { method: 'DELETE' });
      await response.arrayBuffer();
      return response.status === 204 ? 'deleted' : `http_${response.status}`;
    },
    async close() {},
  };
}

/** Generation IDs to use up, one per delete, so every measured delete is a real one. */
export class IdPool {
  private next = 0;
  private readonly ids: readonly string[];
  readonly name: string;

  constructor(name: string, ids: readonly string[]) {
    this.name = name;
    this.ids = ids;
  }

  take(): string {
    const id = this.ids[this.next++];
    if (id === undefined) throw new Error(`ran out of seeded generations for ${this.name}; seed more`);
    return id;
  }

  get used(): number {
    return this.next;
  }

  get left(): number {
    return this.ids.length - this.next;
  }
}
