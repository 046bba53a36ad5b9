import { resolve } from 'node:path';

/** The project's root, and the `deno` that npm installed there (the `deno` package ships the binary). */
export const ROOT = resolve(import.meta.dirname, '../../..');

export const DENO = resolve(ROOT, 'node_modules/.bin', process.platform === 'win32' ? 'deno.cmd' : 'deno');

/**
 * Flags every Deno run of this project gets: its config (src/deno/deno.json), which makes Deno use
 * the project's node_modules as npm installed them (no download, no second copy) and never write a
 * lockfile into the checkout. The last two are repeated as flags so that no DENO_* setting in the
 * environment can change them.
 */
export const DENO_COMMON_FLAGS = ['--config', resolve(ROOT, 'src/deno/deno.json'), '--node-modules-dir=manual', '--no-lock'];
