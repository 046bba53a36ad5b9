/**
 * Luma generation IDs are UUIDs. We check the shape before building any URL, because the ID is
 * interpolated into a path: `../credits` would otherwise become `DELETE /credits` upstream.
 * The check is deliberately loose about the UUID version nibble (Luma documents `format: uuid`,
 * not a version) and strict about everything else: 8-4-4-4-12 hex digits and nothing around them.
 */
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Long enough for any UUID; anything longer is rejected without being echoed back. */
export const GENERATION_ID_MAX_LENGTH = 36;

export type GenerationIdCheck =
  | { ok: true; id: string }
  | { ok: false; problem: string };

/**
 * Checks a candidate generation ID and returns it in canonical (lower-case) form, or a message
 * that says what is wrong and what a valid ID looks like. The message never repeats the input,
 * which may be huge or carry text meant to steer the model.
 */
export function checkGenerationId(candidate: unknown): GenerationIdCheck {
  if (candidate === undefined) {
    return { ok: false, problem: `generation_id is required. ${EXAMPLE}` };
  }
  if (typeof candidate !== 'string') {
    return { ok: false, problem: `generation_id must be a string, not ${describeType(candidate)}. ${EXAMPLE}` };
  }
  if (candidate.trim() === '') {
    return { ok: false, problem: `generation_id is empty. ${EXAMPLE}` };
  }
  if (candidate.length > GENERATION_ID_MAX_LENGTH) {
    return {
      ok: false,
      problem: `generation_id is ${candidate.length} characters long; a Luma generation ID is a UUID of 36 characters. ${EXAMPLE}`,
    };
  }
  if (!UUID_PATTERN.test(candidate)) {
    return { ok: false, problem: `generation_id is not a UUID. ${EXAMPLE}` };
  }
  return { ok: true, id: candidate.toLowerCase() };
}

const EXAMPLE =
  'A Luma generation ID looks like 123e4567-e89b-12d3-a456-426614174000 (list your generations to find one).';

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
