// Gives `npm start` its local secrets on a fresh clone: writes .dev.vars with random values once,
// and never touches an existing file. The deployed Worker gets its secrets from `wrangler secret put`.
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';

const file = new URL('../.dev.vars', import.meta.url);
if (!existsSync(file)) {
  const secret = () => randomBytes(32).toString('base64url');
  writeFileSync(
    file,
    `# Local development secrets, made by scripts/ensure-dev-vars.mjs. Not committed; delete to regenerate.\n` +
      `KEY_ENCRYPTION_SECRET=${secret()}\nUSER_ID_SECRET=${secret()}\n`,
    { mode: 0o600 },
  );
  console.log('Created .dev.vars with random local secrets.');
}
