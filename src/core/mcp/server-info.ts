/** How this MCP server introduces itself, the same on every runtime. */
export const SERVER_INFO = { name: 'luma-dream-machine', version: '0.1.0' } as const;

/** What the model is told up front; `whose` names the person ("the connected person's"). */
export function serverInstructions(whose: string): string {
  return (
    `Manages ${whose} Luma Dream Machine generations. Deleting is permanent: only delete what the person asked to delete. ` +
    'Find IDs with list_generations or get_generation; list_recent_deletes shows what was already deleted through this server.'
  );
}
