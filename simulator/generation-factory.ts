/**
 * Realistic Luma generation objects for the simulator: one with sensible defaults, or a batch of
 * varied ones. Asset URLs use the reserved `.invalid` TLD so nothing can ever fetch them.
 */
import type { GenerationState, GenerationType, SimulatedGeneration } from './luma-simulator.ts';

const ASSET_HOST = 'https://storage.example.invalid';

const VIDEO_TYPES: ReadonlySet<GenerationType> = new Set(['video', 'upscale_video', 'add_audio', 'reframe_video', 'modify_video']);

const DEFAULT_MODEL: Record<GenerationType, string> = {
  video: 'ray-2',
  image: 'photon-1',
  upscale_video: 'ray-2',
  add_audio: 'ray-2',
  reframe_image: 'photon-1',
  reframe_video: 'ray-2',
  modify_video: 'ray-2',
};

const DEFAULT_PROMPT: Record<GenerationType, string> = {
  video: 'A red fox trotting through fresh snow at dawn, cinematic tracking shot',
  image: 'A botanical illustration of a monstera leaf on cream paper',
  upscale_video: '',
  add_audio: 'Soft rain on a tin roof with distant thunder',
  reframe_image: 'Extend the scene into a tall portrait frame',
  reframe_video: 'Extend the shot to a vertical frame for mobile',
  modify_video: 'Turn the daytime street into a snowy night',
};

/** A generation with every field filled in; anything given in `partial` wins. */
export function makeGeneration(partial: Partial<SimulatedGeneration> = {}): SimulatedGeneration {
  const id = partial.id ?? crypto.randomUUID();
  const generationType = partial.generation_type ?? 'video';
  const state = partial.state ?? 'completed';
  const model = partial.model ?? DEFAULT_MODEL[generationType] ?? 'ray-2';
  return {
    id,
    generation_type: generationType,
    state,
    failure_reason: partial.failure_reason !== undefined ? partial.failure_reason : state === 'failed' ? 'The generation failed to complete' : null,
    created_at: partial.created_at ?? new Date().toISOString(),
    model,
    request: partial.request ?? defaultRequest(generationType, model, DEFAULT_PROMPT[generationType] ?? ''),
    assets: partial.assets !== undefined ? partial.assets : defaultAssets(id, generationType, state),
  };
}

interface Template {
  generation_type: GenerationType;
  state: GenerationState;
  model: string;
  prompt: string;
}

// Mostly completed videos and images, as a real library is; the rarer kinds come later in the
// cycle so small seeded accounts (1–3 generations) are all plain, deletable, finished work.
const TEMPLATES: readonly Template[] = [
  { generation_type: 'video', state: 'completed', model: 'ray-2', prompt: 'A hot-air balloon drifting over terraced rice fields at sunrise' },
  { generation_type: 'image', state: 'completed', model: 'photon-1', prompt: 'Studio photo of a ceramic teapot shaped like a snail' },
  { generation_type: 'video', state: 'completed', model: 'ray-flash-2', prompt: 'Jellyfish pulsing in a dark aquarium, slow push-in' },
  { generation_type: 'video', state: 'dreaming', model: 'ray-2', prompt: 'A steam locomotive crossing a stone viaduct in autumn fog' },
  { generation_type: 'image', state: 'completed', model: 'photon-flash-1', prompt: 'Flat vector poster of a mountain bike race' },
  { generation_type: 'upscale_video', state: 'completed', model: 'ray-2', prompt: '' },
  { generation_type: 'video', state: 'failed', model: 'ray-2', prompt: 'Fireworks reflected in a calm harbour at midnight' },
  { generation_type: 'add_audio', state: 'completed', model: 'ray-2', prompt: 'Seagulls, gentle surf and a distant foghorn' },
  { generation_type: 'video', state: 'queued', model: 'ray-flash-2', prompt: 'A paper crane unfolding itself on a wooden desk' },
];

const MINUTE_MS = 60_000;

/** `count` varied generations, newest first, a few minutes apart and ending at `now`. */
export function makeGenerations(count: number, now: number = Date.now()): SimulatedGeneration[] {
  if (!Number.isInteger(count) || count < 0 || count > 1000) {
    throw new TypeError('generations must be an integer between 0 and 1000');
  }
  return Array.from({ length: count }, (_, index) => {
    const template = TEMPLATES[index % TEMPLATES.length]!;
    const id = crypto.randomUUID();
    return makeGeneration({
      id,
      generation_type: template.generation_type,
      state: template.state,
      model: template.model,
      created_at: new Date(now - index * 7 * MINUTE_MS).toISOString(),
      request: defaultRequest(template.generation_type, template.model, template.prompt),
    });
  });
}

function defaultRequest(generationType: GenerationType, model: string, prompt: string): SimulatedGeneration['request'] {
  switch (generationType) {
    case 'video':
      return { generation_type: 'video', prompt, model, aspect_ratio: '16:9', resolution: '720p', duration: '5s', loop: false };
    case 'image':
    case 'reframe_image':
      return { generation_type: generationType, prompt, model, aspect_ratio: '1:1' };
    case 'upscale_video':
      return { generation_type: 'upscale_video', resolution: '1080p' };
    case 'add_audio':
      return { generation_type: 'add_audio', prompt };
    default:
      return { generation_type: generationType, prompt, model, aspect_ratio: '9:16' };
  }
}

function defaultAssets(id: string, generationType: GenerationType, state: GenerationState): SimulatedGeneration['assets'] {
  const base = `${ASSET_HOST}/generations/${id}`;
  const isVideo = VIDEO_TYPES.has(generationType);
  if (state === 'completed') return isVideo ? { video: `${base}/video.mp4`, image: `${base}/thumbnail.jpg` } : { image: `${base}/image.jpg` };
  if (state === 'dreaming' && isVideo) return { progress_video: `${base}/progress.mp4` };
  return null;
}
