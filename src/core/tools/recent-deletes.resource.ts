import { LIST_RECENT_DELETES, MAX_RECENT_DELETES } from './list-recent-deletes.tool.ts';
import type { ResourceDefinition } from './tool-definition.ts';

export const RECENT_DELETES_URI = 'luma://deletes/recent';

export const recentDeletesResource: ResourceDefinition = {
  name: 'recent-deletes',
  uri: RECENT_DELETES_URI,
  title: 'Recently deleted generations',
  description: `The newest ${MAX_RECENT_DELETES} deletes made through this server for the connected person (same content as ${LIST_RECENT_DELETES}).`,
  mimeType: 'application/json',
  async read(context) {
    return JSON.stringify(await context.account.listDeletes({ limit: MAX_RECENT_DELETES }));
  },
};
