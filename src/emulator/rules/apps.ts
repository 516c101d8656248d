/** Apps: a secret is deleted by its name and scope (`POST /v1/apps/secrets/delete`). */
import type { RuleBook } from '../engine/rule-book.ts';

export const appRules: RuleBook = {
  'apps.secret': {
    actions: {
      delete(ctx, entry) {
        ctx.ops.deleteEntry(ctx, entry);
        return { ...entry, data: { ...entry.data, deleted: true } };
      },
    },
  },
};
