import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';

/**
 * MCP sessions over Streamable HTTP, kept in this process: one MCP server and one Web-standard
 * transport per session, found again by the `Mcp-Session-Id` header. Sessions (rather than a
 * stateless server) because a delete's confirmation is a question the server asks the client in
 * the middle of a tool call (elicitation), and the client's answer arrives as a later request of
 * the same session. A host that spreads requests over several instances may not find a session:
 * the answer is then 404, and MCP clients start a new session, as the specification requires.
 */
export interface McpSessionsOptions {
  /** A fresh MCP server with the tools registered, for one session. */
  createServer: () => McpServer;
  /** A session unused for this long is closed when the next one opens. Default 1 hour. */
  idleTimeoutMs?: number;
  /** At most this many open sessions; opening one more closes the least recently used. */
  maxSessions?: number;
  now?: () => number;
}

interface Session {
  server: McpServer;
  transport: WebStandardStreamableHTTPServerTransport;
  lastSeen: number;
}

export class McpSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly createServer: () => McpServer;
  private readonly idleTimeoutMs: number;
  private readonly maxSessions: number;
  private readonly now: () => number;

  constructor(options: McpSessionsOptions) {
    this.createServer = options.createServer;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60 * 60_000;
    this.maxSessions = options.maxSessions ?? 100;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.sessions.size;
  }

  async handle(request: Request): Promise<Response> {
    const sessionId = request.headers.get('Mcp-Session-Id');
    if (sessionId !== null) {
      const session = this.sessions.get(sessionId);
      if (!session) return rpcError(404, 'Session not found: it ended or belongs to another server instance. Start a new session (initialize).', -32001);
      session.lastSeen = this.now();
      return session.transport.handleRequest(request);
    }
    if (request.method !== 'POST') return rpcError(400, 'Bad Request: an Mcp-Session-Id header is required; start a session with an initialize request.');
    return this.open(request);
  }

  /** Closes every session (their open streams end), e.g. before the process stops. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)));
  }

  /**
   * Hands a request without a session to a new transport, which accepts it only if it is an
   * initialize request. The session is kept once the transport has given it an ID.
   */
  private async open(request: Request): Promise<Response> {
    await this.makeRoom();
    const server = this.createServer();
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (id) => {
        this.sessions.set(id, { server, transport, lastSeen: this.now() });
      },
    });
    // Set before connect(), which chains it: a session ends however its transport closes (DELETE included).
    transport.onclose = () => {
      if (transport.sessionId) this.sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    const response = await transport.handleRequest(request);
    if (!transport.sessionId) await server.close(); // not an initialize request: nothing to keep
    return response;
  }

  private async makeRoom(): Promise<void> {
    const cutoff = this.now() - this.idleTimeoutMs;
    const closing: Promise<void>[] = [];
    for (const [id, session] of this.sessions) {
      if (session.lastSeen < cutoff) closing.push(this.close(id));
    }
    await Promise.all(closing);
    while (this.sessions.size >= this.maxSessions) {
      let oldest: [string, number] | undefined;
      for (const [id, { lastSeen }] of this.sessions) if (!oldest || lastSeen < oldest[1]) oldest = [id, lastSeen];
      await this.close(oldest![0]);
    }
  }

  private async close(id: string): Promise<void> {
    const session = this.sessions.get(id);
    this.sessions.delete(id);
    await session?.server.close().catch(() => undefined);
  }
}

/** A JSON-RPC error without an ID, as the SDK's transport itself answers transport-level problems. */
export function rpcError(status: number, message: string, code = -32000): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}
