/**
 * Contents of the files the emulator writes itself (a report run's CSV), served where a file's
 * `url` points: `GET /v1/files/<id>/contents` on the emulator (Stripe's files host), with a key
 * like every API call. Kept beside the store, by file id; a file nobody wrote is a 404.
 */
import type { Ctx } from './context.ts';
import type { Store } from './store.ts';

export interface FileContents {
  type: string;
  body: string;
}

const written = new WeakMap<Store, Map<string, FileContents>>();

/** Keeps a file's contents; returns its size in bytes. */
export function writeFileContents(ctx: Ctx, fileId: string, contents: FileContents): number {
  const files = written.get(ctx.store) ?? new Map<string, FileContents>();
  written.set(ctx.store, files);
  files.set(fileId, contents);
  return Buffer.byteLength(contents.body);
}

/** Where a file's contents are downloaded: the emulator itself while its server listens. */
export const contentsUrl = (ctx: Ctx, fileId: string): string =>
  `${ctx.publicUrl ?? 'https://files.stripe.com'}/v1/files/${fileId}/contents`;

const CONTENTS_PATH = /^\/v1\/files\/(file_[A-Za-z0-9]+)\/contents$/;

/** The contents `GET <path>` downloads, if the path names a written file. */
export function fileDownload(store: Store, path: string): FileContents | undefined {
  const id = CONTENTS_PATH.exec(path)?.[1];
  return id === undefined ? undefined : written.get(store)?.get(id);
}
