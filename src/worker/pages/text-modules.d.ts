/** Markdown files imported as text (wrangler.toml bundles `**\/*.md` with a `Text` rule). */
declare module '*.md' {
  const text: string;
  export default text;
}
