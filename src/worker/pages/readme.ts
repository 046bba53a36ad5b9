import readme from '../../../README.md';

/**
 * `GET /README.md`: the project's README, bundled into the Worker as text (wrangler.toml's
 * `[[rules]]`), so the landing page's "full instructions" link works on any deployment, offline
 * included, and always describes the version that is running.
 */
export function readmeResponse(): Response {
  return new Response(readme, {
    headers: {
      'Content-Type': 'text/markdown; charset=utf-8',
      'Cache-Control': 'public, max-age=300',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}
