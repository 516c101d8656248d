/**
 * Files: an upload's name, size and type, its contents kept and served at its `url` (with a key);
 * a file link's `url` serves them without one (hosted/file-link.ts).
 *
 * - A link is made only to a file whose purpose Stripe lets out (not an identity document, say),
 *   and expires only in the future (`now`, on an update, expires it at once); it reads `expired`
 *   once its `expires_at` has passed (handlers/render.ts).
 * - An upload expires as its purpose has it (`uploadExpiry`: dispute evidence after nine months).
 * - An upload with `file_link_data[create]` gets its link at once; a file shows its links (`links`,
 *   newest first) as Stripe's file objects do.
 */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import { contentsUrl, writeFileContents } from '../engine/file-contents.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';
import { fileLinkUrl } from '../hosted/file-link.ts';

/**
 * When an upload expires, by its purpose (Stripe's file upload guide): a customer's signature after
 * a week, dispute evidence after nine months; the files of the other purposes are kept (null).
 */
function uploadExpiry(ctx: Ctx, purpose: Json | undefined): number | null {
  if (purpose === 'customer_signature') return ctx.now + 7 * 86_400;
  if (purpose !== 'dispute_evidence') return null;
  const expiry = new Date(ctx.now * 1000);
  expiry.setUTCMonth(expiry.getUTCMonth() + 9);
  return Math.floor(expiry.getTime() / 1000);
}

/** The purposes of the files a link may be made to (stripe-node 15.3.0, `FileLinkCreateParams.file`). */
const LINKABLE_PURPOSES = new Set([
  'business_icon',
  'business_logo',
  'customer_signature',
  'dispute_evidence',
  'finance_report_run',
  'identity_document_downloadable',
  'pci_document',
  'selfie',
  'sigma_scheduled_query',
  'tax_document_user_upload',
  'terminal_reader_splashscreen',
]);

/** Refuses an expiry already past (an update's `now` is resolved to the request's time first). */
function requireFuture(ctx: Ctx, given: Json | undefined, resolved: Json | undefined): void {
  if (given === 'now' || typeof resolved !== 'number' || resolved > ctx.now) return;
  throw invalidRequest('The expires_at timestamp must be in the future.', { param: 'expires_at' });
}

/** The link `file_link_data` asks for (its `expires_at` and `metadata`), when `create` is set. */
function linkOnUpload(ctx: Ctx, file: Entry, params: JsonObject): void {
  const data = isObject(params.file_link_data) ? params.file_link_data : {};
  if (data.create !== true && data.create !== 'true') return;
  const { create: _, ...fields } = data;
  ctx.ops.createResource(ctx, 'file_link', { ...fields, file: file.id });
}

/** A file's `links`: the file links made to it, newest first, as an inline list. */
function links(ctx: Ctx, file: Entry): JsonObject {
  return {
    object: 'list',
    data: ctx.children(file, ['file_link']).map((link) => link.data),
    has_more: false,
    url: `/v1/file_links?file=${file.id}`,
  };
}

export const fileRules: RuleBook = {
  file: {
    reading: (ctx, entry) => ({ ...entry.data, links: links(ctx, entry) }),
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
        expires_at: uploadExpiry(ctx, draft.purpose),
        filename,
        size,
        // Stripe titles the files it makes (a report's), not an upload: its name is `filename`.
        title: null,
        type: extension,
        url: contentsUrl(ctx, id),
      });
    },
    afterCreate(ctx, entry, { params }) {
      linkOnUpload(ctx, entry, params);
    },
  },
  file_link: {
    beforeCreate(ctx, draft, { params }) {
      const file = ctx.require(String(params.file), ['file'], 'file', 400);
      if (!LINKABLE_PURPOSES.has(String(file.data.purpose)))
        throw invalidRequest(
          `Links cannot be created for files with purpose \`${String(file.data.purpose)}\`.`,
          {
            param: 'file',
          },
        );
      requireFuture(ctx, params.expires_at, draft.expires_at);
      draft.url = fileLinkUrl(ctx, String(draft.id));
    },
    beforeUpdate(ctx, draft, params) {
      requireFuture(ctx, params.expires_at, draft.expires_at);
    },
  },
};
