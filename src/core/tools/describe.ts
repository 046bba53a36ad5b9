import type { KnownGeneration } from '../account/deletes-log.ts';

/** One line a person can recognise a generation by: type, prompt excerpt, when it was made. */
export function describeGeneration(id: string, known?: KnownGeneration): string {
  if (!known) return id;
  const parts = [known.generation_type ?? 'generation'];
  if (known.prompt) parts.push(`"${excerpt(known.prompt, 60)}"`);
  if (known.created_at) parts.push(`created ${known.created_at}`);
  return `${id} (${parts.join(', ')})`;
}

export function excerpt(text: string, length: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}
