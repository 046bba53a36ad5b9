/**
 * Fixed demo data for offline demos and docs: two accounts whose keys and generation IDs never
 * change, so a walkthrough can name them. Every other field is spelled out too (nothing random),
 * so the demo looks the same on every run.
 */
import type { LumaSimulator, LumaSimulatorOptions, SimulatedGeneration } from './luma-simulator.ts';

export const DEMO_KEY_ALICE = 'luma-demo-key-alice';
export const DEMO_KEY_BOB = 'luma-demo-key-bob';

const ASSETS = 'https://storage.example.invalid/demo';

function videoAssets(id: string): SimulatedGeneration['assets'] {
  return { video: `${ASSETS}/${id}/video.mp4`, image: `${ASSETS}/${id}/thumbnail.jpg` };
}

function imageAssets(id: string): SimulatedGeneration['assets'] {
  return { image: `${ASSETS}/${id}/image.jpg` };
}

const aliceGenerations: SimulatedGeneration[] = [
  {
    id: '8e27d4a1-5c93-4f6b-a0d8-1b3e5f7c9a26',
    generation_type: 'video',
    state: 'dreaming',
    failure_reason: null,
    created_at: '2025-06-15T07:02:44Z',
    model: 'ray-flash-2',
    request: {
      generation_type: 'video',
      model: 'ray-flash-2',
      prompt: 'Neon-lit Tokyo alley in the rain, the camera dollies forward past steaming food stalls',
      aspect_ratio: '21:9',
      resolution: '720p',
      duration: '5s',
    },
    assets: { progress_video: `${ASSETS}/8e27d4a1-5c93-4f6b-a0d8-1b3e5f7c9a26/progress.mp4` },
  },
  {
    id: 'c1a5e0d2-7b3f-4e8a-9c61-2f4d8b7a3e10',
    generation_type: 'video',
    state: 'completed',
    failure_reason: null,
    created_at: '2025-06-14T09:12:31Z',
    model: 'ray-2',
    request: {
      generation_type: 'video',
      model: 'ray-2',
      prompt: 'A lighthouse on a basalt cliff at golden hour, waves exploding below, slow aerial orbit',
      aspect_ratio: '16:9',
      resolution: '1080p',
      duration: '9s',
      loop: false,
    },
    assets: videoAssets('c1a5e0d2-7b3f-4e8a-9c61-2f4d8b7a3e10'),
  },
  {
    id: '3f9b2c47-81d6-4a0e-b5f2-6c7d9e1a4b58',
    generation_type: 'image',
    state: 'completed',
    failure_reason: null,
    created_at: '2025-06-13T18:40:05Z',
    model: 'photon-1',
    request: {
      generation_type: 'image',
      model: 'photon-1',
      prompt: 'Watercolor portrait of a tabby cat wearing a tiny knitted scarf',
      aspect_ratio: '3:4',
    },
    assets: imageAssets('3f9b2c47-81d6-4a0e-b5f2-6c7d9e1a4b58'),
  },
  {
    id: 'a4d6f8b0-2e1c-4b7d-8f3a-5c9e0d2b6f71',
    generation_type: 'upscale_video',
    state: 'completed',
    failure_reason: null,
    created_at: '2025-06-12T14:25:10Z',
    model: 'ray-2',
    request: { generation_type: 'upscale_video', resolution: '4k' },
    assets: videoAssets('a4d6f8b0-2e1c-4b7d-8f3a-5c9e0d2b6f71'),
  },
  {
    id: '5b0e9a3c-d7f2-4c18-9e64-a8b1c3d5e7f9',
    generation_type: 'video',
    state: 'failed',
    failure_reason: 'The keyframe image could not be downloaded',
    created_at: '2025-06-11T21:57:48Z',
    model: 'ray-2',
    request: {
      generation_type: 'video',
      model: 'ray-2',
      prompt: 'The drawing comes to life and the paper boat sails off the page',
      aspect_ratio: '16:9',
      keyframes: { frame0: { type: 'image', url: 'https://storage.example.invalid/demo/uploads/boat-sketch.jpg' } },
    },
    assets: null,
  },
];

const bobGenerations: SimulatedGeneration[] = [
  {
    id: '92c4e6a8-0b1d-4f3e-8a5c-d7e9f1b3c5a6',
    generation_type: 'video',
    state: 'queued',
    failure_reason: null,
    created_at: '2025-06-16T11:30:00Z',
    model: 'ray-flash-2',
    request: {
      generation_type: 'video',
      model: 'ray-flash-2',
      prompt: 'A paper boat sailing down a rain-filled gutter, macro lens, shallow depth of field',
      aspect_ratio: '9:16',
      resolution: '540p',
      duration: '5s',
    },
    assets: null,
  },
  {
    id: 'e5b3a7c9-1d0f-4a2e-9c8b-7f6d5e4a3b12',
    generation_type: 'add_audio',
    state: 'completed',
    failure_reason: null,
    created_at: '2025-06-15T16:08:19Z',
    model: 'ray-2',
    request: { generation_type: 'add_audio', prompt: 'Crackling campfire with crickets and a distant owl' },
    assets: videoAssets('e5b3a7c9-1d0f-4a2e-9c8b-7f6d5e4a3b12'),
  },
  {
    id: '6a8f1d3b-9c5e-4e7a-a2d4-0b6c8e1f3a57',
    generation_type: 'video',
    state: 'completed',
    failure_reason: null,
    created_at: '2025-06-14T08:45:37Z',
    model: 'ray-2',
    request: {
      generation_type: 'video',
      model: 'ray-2',
      prompt: 'Time-lapse of a sourdough loaf rising and baking, warm kitchen light',
      aspect_ratio: '1:1',
      resolution: '720p',
      duration: '5s',
      loop: true,
    },
    assets: videoAssets('6a8f1d3b-9c5e-4e7a-a2d4-0b6c8e1f3a57'),
  },
  {
    id: '1f3e5a7c-9b2d-4c6e-b8a0-e2c4d6f8a0b3',
    generation_type: 'reframe_image',
    state: 'completed',
    failure_reason: null,
    created_at: '2025-06-13T10:02:56Z',
    model: 'photon-1',
    request: {
      generation_type: 'reframe_image',
      model: 'photon-1',
      prompt: 'Extend the alpine meadow upwards into a tall portrait frame',
      aspect_ratio: '9:16',
      media: { url: 'https://storage.example.invalid/demo/uploads/meadow.jpg' },
    },
    assets: imageAssets('1f3e5a7c-9b2d-4c6e-b8a0-e2c4d6f8a0b3'),
  },
  {
    id: '0d7c3e9f-4a2b-4d6e-8b1f-9e5a7c3d1b24',
    generation_type: 'image',
    state: 'completed',
    failure_reason: null,
    created_at: '2025-06-10T19:33:02Z',
    model: 'photon-flash-1',
    request: {
      generation_type: 'image',
      model: 'photon-flash-1',
      prompt: 'Isometric cutaway of a cozy underground kitchen with copper pots',
      aspect_ratio: '4:3',
    },
    assets: imageAssets('0d7c3e9f-4a2b-4d6e-8b1f-9e5a7c3d1b24'),
  },
];

export const demoAccounts: NonNullable<LumaSimulatorOptions['accounts']> = {
  [DEMO_KEY_ALICE]: { generations: aliceGenerations, creditBalance: 12_500 },
  [DEMO_KEY_BOB]: { generations: bobGenerations, creditBalance: 340 },
};

/** The demo keys and their generations, one line each, for the demo's and the CLI's banners. */
export function describeDemoAccounts(simulator: LumaSimulator): string[] {
  const lines: string[] = [];
  for (const apiKey of Object.keys(demoAccounts)) {
    lines.push(`  ${apiKey}`);
    for (const generation of simulator.generations(apiKey)) {
      const prompt = generation.request.prompt ?? '';
      const excerpt = prompt.length > 48 ? `${prompt.slice(0, 47)}…` : prompt;
      lines.push(`    ${generation.id}  ${generation.generation_type.padEnd(13)} ${generation.state.padEnd(9)} ${excerpt ? `"${excerpt}"` : ''}`.trimEnd());
    }
  }
  return lines;
}
