import { z } from 'zod';
import type { ActionError } from '../account/user-account.ts';
import { assetUrls } from '../account/user-account.ts';
import type { Generation } from '../luma/luma-client.ts';
import { LumaError } from '../luma/luma-error.ts';
import { excerpt } from './describe.ts';
import type { ToolResult } from './tool-definition.ts';
import { describeLumaError, failure, type ToolError } from './tool-result.ts';

/** What the reading tools share: how a generation is shown, and how a failed read is told. */
export const summarySchema = z.object({
  id: z.string(),
  generation_type: z.string().optional(),
  state: z.string().optional(),
  created_at: z.string().optional(),
  model: z.string().optional(),
  prompt: z.string().optional().describe('The prompt, cut to 200 characters.'),
});

export function summaryOf(generation: Generation) {
  const prompt = typeof generation.request?.prompt === 'string' ? generation.request.prompt : undefined;
  return {
    id: generation.id,
    ...(generation.generation_type ? { generation_type: generation.generation_type } : {}),
    ...(generation.state ? { state: generation.state } : {}),
    ...(generation.created_at ? { created_at: generation.created_at } : {}),
    ...(generation.model ? { model: generation.model } : {}),
    ...(prompt ? { prompt: excerpt(prompt, 200) } : {}),
  };
}

export function detailOf(generation: Generation) {
  const assets = assetUrls(generation);
  const prompt = typeof generation.request?.prompt === 'string' ? generation.request.prompt : undefined;
  return {
    ...summaryOf(generation),
    ...(prompt ? { prompt } : {}),
    ...(generation.failure_reason ? { failure_reason: generation.failure_reason } : {}),
    ...(Object.keys(assets).length ? { assets } : {}),
  };
}

export function readError(error: ActionError, action: string, keyAdvice: string): ToolError {
  if (error.kind === 'no_api_key') {
    return { code: 'no_api_key', message: `Could not ${action}: no Luma API key is connected to your account. ${keyAdvice}` };
  }
  return describeLumaError(new LumaError(error), action, '', keyAdvice);
}

/** Runs a read, turning a failure of our own plumbing into a plain failure (details stay in our logs). */
export async function guarded(action: string, run: () => Promise<ToolResult>): Promise<ToolResult> {
  try {
    return await run();
  } catch {
    console.error(`${action}: internal failure`);
    return failure({ code: 'internal_error', message: `Could not ${action}: the server failed while handling the request. Try again in a moment.` });
  }
}
