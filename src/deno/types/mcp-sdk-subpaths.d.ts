/**
 * For `deno check` only (src/deno/deno.json lists this file; tsc never reads it). The MCP SDK v1 maps its
 * `./*` export to types at `./dist/esm/*.d.ts`, so `@modelcontextprotocol/sdk/server/mcp.js` has
 * its types at `server/mcp.js.d.ts`, which does not exist. tsc retries without `.js`; Deno does not
 * (modelcontextprotocol/typescript-sdk#2701). These declarations point each subpath this project
 * imports at the extension-less specifier, whose types Deno does find. They change no runtime
 * resolution. Delete this file once the SDK ships an explicit `./*.js` export (its PR #2740).
 */
declare module '@modelcontextprotocol/sdk/server/mcp.js' {
  export * from '@modelcontextprotocol/sdk/server/mcp';
}
declare module '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js' {
  export * from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp';
}
declare module '@modelcontextprotocol/sdk/shared/protocol.js' {
  export * from '@modelcontextprotocol/sdk/shared/protocol';
}
declare module '@modelcontextprotocol/sdk/types.js' {
  export * from '@modelcontextprotocol/sdk/types';
}
declare module '@modelcontextprotocol/sdk/client/index.js' {
  export * from '@modelcontextprotocol/sdk/client/index';
}
declare module '@modelcontextprotocol/sdk/client/streamableHttp.js' {
  export * from '@modelcontextprotocol/sdk/client/streamableHttp';
}
