import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * Finds what ties a module to one runtime, in a set of modules and everything they import.
 * Parsed with the TypeScript compiler (not grepped), so comments and strings do not count and type
 * imports, `import()` types, dynamic imports, re-exports and `/// <reference>` directives all do.
 */
export interface PortabilityReport {
  /** Every module that was read, relative to `root`. */
  scanned: string[];
  /** One line per problem: `file:line: what — why`. */
  problems: string[];
}

/** npm packages the core may use: they run on any Web-standard runtime (entries below excepted). */
const PORTABLE_PACKAGES = ['zod', '@modelcontextprotocol/sdk', '@modelcontextprotocol/server'];

/** Parts of the MCP SDK built on Node (stdio, node:http, Express). */
const NODE_ONLY_SDK_PATHS = /^@modelcontextprotocol\/sdk\/(server\/(stdio|express|streamableHttp|sse)|client\/stdio)(\.js)?$/;

/** Globals and ambient types that exist only in one runtime (Workers, Deno, Bun, Node). */
const RUNTIME_GLOBALS: Record<string, string> = {
  DurableObject: 'a Cloudflare Durable Object type',
  DurableObjectState: 'a Cloudflare Durable Object type',
  DurableObjectNamespace: 'a Cloudflare Durable Object type',
  DurableObjectStub: 'a Cloudflare Durable Object type',
  DurableObjectStorage: 'a Cloudflare Durable Object type',
  DurableObjectId: 'a Cloudflare Durable Object type',
  SqlStorage: 'a Cloudflare Durable Object type',
  KVNamespace: 'a Cloudflare Workers binding type',
  R2Bucket: 'a Cloudflare Workers binding type',
  D1Database: 'a Cloudflare Workers binding type',
  Fetcher: 'a Cloudflare Workers binding type',
  ExecutionContext: 'a Cloudflare Workers type',
  ExportedHandler: 'a Cloudflare Workers type',
  HTMLRewriter: 'a Cloudflare Workers API',
  WebSocketPair: 'a Cloudflare Workers API',
  Deno: 'the Deno namespace',
  Bun: 'the Bun namespace',
  process: 'a Node global',
  Buffer: 'a Node global',
  require: 'CommonJS/Node',
  __dirname: 'a Node global',
  __filename: 'a Node global',
};

const NODE_BUILTINS = new Set(builtinModules);

export function checkPortability(root: string, entries: string[]): PortabilityReport {
  const problems: string[] = [];
  const seen = new Set<string>();
  const queue = entries.flatMap((entry) => typeScriptFilesUnder(resolve(root, entry)));
  if (queue.length === 0) problems.push(`no TypeScript files under ${entries.join(', ')}`);

  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const name = relative(root, file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const at = (node: ts.Node) => `${name}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;

    const follow = (specifier: string, where: string) => {
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier);
        if (existsSync(target) && statSync(target).isFile()) queue.push(target);
        else problems.push(`${where}: imports "${specifier}" — no such file (imports name the .ts file)`);
        return;
      }
      const why = whyNotPortable(specifier);
      if (why) problems.push(`${where}: imports "${specifier}" — ${why}`);
    };

    for (const reference of source.typeReferenceDirectives) {
      const why = whyNotPortable(reference.fileName);
      if (why) problems.push(`${name}: references types "${reference.fileName}" — ${why}`);
    }
    for (const reference of source.referencedFiles) follow(reference.fileName, name);

    const visit = (node: ts.Node): void => {
      const specifier = moduleSpecifierOf(node);
      if (specifier !== undefined) follow(specifier, at(node));
      if (ts.isIdentifier(node) && Object.hasOwn(RUNTIME_GLOBALS, node.text) && isReference(node)) {
        problems.push(`${at(node)}: uses ${node.text} — ${RUNTIME_GLOBALS[node.text]}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { scanned: [...seen].map((file) => relative(root, file)).sort(), problems };
}

function whyNotPortable(specifier: string): string | undefined {
  const scheme = specifier.match(/^([a-z][a-z0-9+.-]*):/i)?.[1];
  if (scheme === 'node' || NODE_BUILTINS.has(specifier)) return 'a Node built-in module';
  if (scheme === 'cloudflare') return 'a Cloudflare Workers module';
  if (scheme) return `a "${scheme}:" specifier, which only some runtimes resolve`;
  if (NODE_ONLY_SDK_PATHS.test(specifier)) return 'a part of the MCP SDK that needs Node';
  const packageName = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
  if (packageName === 'agents' || packageName.startsWith('@cloudflare/')) return 'a Cloudflare Workers package';
  if (!PORTABLE_PACKAGES.includes(packageName)) return `not a package known to be portable (${PORTABLE_PACKAGES.join(', ')}); if it is, add it to test/deno/helpers/core-imports.ts`;
  return undefined;
}

/** `import`/`export … from`, `import x = require()`, `import()`, `require()`, and `import('…').T` types. */
function moduleSpecifierOf(node: ts.Node): string | undefined {
  if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
    return node.moduleSpecifier.text;
  }
  if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
    return node.moduleReference.expression.text;
  }
  if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
    const [argument] = node.arguments;
    return argument && ts.isStringLiteralLike(argument) ? argument.text : '<computed specifier>';
  }
  if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
    return node.argument.literal.text;
  }
  return undefined;
}

/** A use of the name itself, not a property or member that happens to have that name (`options.process`). */
function isReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if (ts.isQualifiedName(parent) && parent.right === node) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isPropertySignature(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent) || ts.isMethodSignature(parent)) && parent.name === node) {
    return false;
  }
  if ((ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent)) && parent.propertyName === node) return false;
  return true;
}

function typeScriptFilesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) => {
    const child = join(path, entry.name);
    if (entry.isDirectory()) return typeScriptFilesUnder(child);
    return /\.(m|c)?tsx?$/.test(entry.name) ? [child] : [];
  });
}
