/**
 * Contents of files: the ones the emulator writes itself (a report run's CSV) and uploads, served
 * where a file's `url` points: `GET /v1/files/<id>/contents` on the emulator (Stripe's files host),
 * with a key like every API call, and without one behind a file link's `url` (hosted/file-link.ts).
 * Kept beside the store, by file id; a file with no contents is a 404.
 */

import { BesideStore } from './beside.ts';
import type { Ctx } from './context.ts';
import type { Store } from './store.ts';

export interface FileContents {
  type: string;
  /** text, or an upload's bytes */
  body: string | Buffer;
}

const written = new BesideStore<FileContents>();

/** Keeps a file's contents; returns its size in bytes. */
export function writeFileContents(ctx: Ctx, fileId: string, contents: FileContents): number {
  written.of(ctx.store).set(fileId, contents);
  return Buffer.byteLength(contents.body);
}

/** Where a file's contents are downloaded: the emulator itself while its server listens. */
export const contentsUrl = (ctx: Ctx, fileId: string): string =>
  `${ctx.publicUrl ?? 'https://files.stripe.com'}/v1/files/${fileId}/contents`;

const CONTENTS_PATH = /^\/v1\/files\/(file_[A-Za-z0-9]+)\/contents$/;

/** The contents of file `id`, if it has any. */
export const fileContents = (store: Store, id: string): FileContents | undefined => written.get(store, id);

/** The contents `GET <path>` downloads, if the path names a written file. */
export function fileDownload(store: Store, path: string): FileContents | undefined {
  const id = CONTENTS_PATH.exec(path)?.[1];
  return id === undefined ? undefined : fileContents(store, id);
}
