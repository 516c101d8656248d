/**
 * Files: an upload's name, size and type, its contents kept and served at its `url` (with a key);
 * a file link's `url` serves them without one (hosted/file-link.ts).
 */
import { contentsUrl, writeFileContents } from '../engine/file-contents.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import { fileLinkUrl } from '../hosted/file-link.ts';

const EXPIRING_PURPOSES = new Set(['dispute_evidence', 'identity_document']);

export const fileRules: RuleBook = {
  file: {
    beforeCreate(ctx, draft, { params }) {
      const id = String(draft.id);
      const upload = ctx.files.file;
      const filename = upload?.filename ?? null;
      const extension = filename?.includes('.')
        ? filename.slice(filename.lastIndexOf('.') + 1).toLowerCase()
        : null;
      // The multipart decoder hands a file part over as its bytes, read as latin1.
      const size =
        typeof params.file === 'string'
          ? writeFileContents(ctx, id, {
              type: upload?.contentType ?? 'application/octet-stream',
              body: Buffer.from(params.file, 'latin1'),
            })
          : (upload?.size ?? 0);
      Object.assign(draft, {
        expires_at: EXPIRING_PURPOSES.has(String(draft.purpose)) ? null : ctx.now + 365 * 86_400,
        filename,
        size,
        title: filename,
        type: extension,
        url: contentsUrl(ctx, id),
      });
    },
  },
  file_link: {
    beforeCreate(ctx, draft) {
      draft.url = fileLinkUrl(ctx, String(draft.id));
    },
  },
};
