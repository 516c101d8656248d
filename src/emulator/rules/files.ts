/** Files: an upload's name, size and type, and where its contents would be. */
import type { RuleBook } from '../engine/rule-book.ts';

const EXPIRING_PURPOSES = new Set(['dispute_evidence', 'identity_document']);

export const fileRules: RuleBook = {
  file: {
    beforeCreate(ctx, draft) {
      const upload = ctx.files.file;
      const filename = upload?.filename ?? null;
      const extension = filename?.includes('.')
        ? filename.slice(filename.lastIndexOf('.') + 1).toLowerCase()
        : null;
      Object.assign(draft, {
        expires_at: EXPIRING_PURPOSES.has(String(draft.purpose)) ? null : ctx.now + 365 * 86_400,
        filename,
        size: upload?.size ?? 0,
        title: filename,
        type: extension,
        url: `https://files.stripe.com/v1/files/${String(draft.id)}/contents`,
      });
    },
  },
};
