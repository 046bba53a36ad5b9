import type { z } from 'zod';
import type { ClientRef, UserAccount } from '../account/user-account.ts';

/**
 * A tool, defined once: what clients see (name, title, description, annotations, input and output
 * schemas) and what it does. Each protocol era registers it through its own adapter (src/core/mcp/),
 * which supplies `ask`, the one thing that differs between eras: a 2025-era session asks the
 * person in the middle of the call, a 2026-07-28 request ends with `input_required` and is
 * called again with the answer.
 */
export interface ToolDefinition<Input extends z.ZodRawShape = z.ZodRawShape, Output extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  annotations: ToolAnnotations;
  inputSchema: Input;
  /**
   * What `structuredContent` looks like. Every result that carries structured content conforms to
   * it, failures included (a test drives every outcome through it); a failure that cannot fill it
   * carries none, and its text says what happened.
   */
  outputSchema: Output;
  run(args: z.infer<z.ZodObject<Input>>, call: ToolCall): Promise<ToolResult>;
}

export interface ToolAnnotations {
  title: string;
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** What a tool's result looks like to both SDKs: text for the person, structure for programs. */
export interface ToolResult {
  content: { type: 'text'; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/** What a runtime supplies to every tool call: the person's account and who is asking. */
export interface CallContext {
  /** The signed-in person's account (their key, log and preferences). */
  account: UserAccount;
  /** The app the person approved, recorded with each delete. */
  client: ClientRef;
  /** How the person gives this server a (new) Luma key here, for messages about a missing or rejected key. */
  keyAdvice: string;
  /** Injected so tests can pin timestamps. */
  now?: () => Date;
}

/** A question for the person, answered with yes or no through their client. */
export interface Question {
  /** What the person reads. */
  message: string;
  /**
   * What a yes would allow: the tool and the exact items. A 2026-07-28 answer is accepted only
   * for the same user, tool and items it was asked for.
   */
  subject: { tool: string; items: string[] };
}

/** What the person answered; `unsupported` when their client cannot be asked. */
export type Confirmation = 'confirmed' | 'declined' | 'cancelled' | 'unsupported';

/** A call as a tool sees it: the runtime's context plus the era's way of asking the person. */
export interface ToolCall extends CallContext {
  /** Whether this client can be asked at all (it declared elicitation). Checked before reading anything. */
  canAsk: boolean;
  /**
   * Asks the person. Anything but an explicit yes is not a yes. On the 2026-07-28 path the first
   * call does not return: the adapter answers `input_required`, and the tool runs again from the
   * start with the answer, so everything before `ask` must be safe to repeat.
   */
  ask(question: Question): Promise<Confirmation>;
}

/** A readable resource, defined once like a tool. */
export interface ResourceDefinition {
  name: string;
  uri: string;
  title: string;
  description: string;
  mimeType: string;
  read(context: CallContext): Promise<string>;
}

export function nowOf(context: CallContext): string {
  return (context.now?.() ?? new Date()).toISOString();
}
