/**
 * A file link's `url` (`GET /links/<token>`): the linked file's contents, to anyone holding the
 * link, as Stripe's files host serves them, until the link expires. The token encodes the link's
 * id; a link that is unknown, expired, or to a file with no contents is a 404.
 */
import type { Ctx } from '../engine/context.ts';
import { fileContents } from '../engine/file-contents.ts';
import { type HostedPage, hostedUrl, nowOf, type PageHandler } from './html.ts';

/** The path prefix of file links. */
export const FILE_LINK_PREFIX = '/links/';

/** A file link's `url`: the emulator's when it serves HTTP, else like Stripe's. */
export function fileLinkUrl(ctx: Ctx, id: string): string {
  const path = `${FILE_LINK_PREFIX}${Buffer.from(`00|${id}`).toString('base64url')}`;
  return hostedUrl(ctx, path, `https://files.stripe.com${path}`);
}

const missing: HostedPage = {
  status: 404,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body: 'This file link does not exist or has expired.',
};

export const fileLinkPage: PageHandler = (service, method, rest) => {
  if (method !== 'GET') return undefined;
  const [version, id] = Buffer.from(rest, 'base64url').toString('utf8').split('|');
  const link = version === '00' && id ? service.store.platform.find(id) : undefined;
  if (link?.resource !== 'file_link' || typeof link.data.file !== 'string') return missing;
  const expiresAt = link.data.expires_at;
  if (typeof expiresAt === 'number' && expiresAt <= nowOf(service)) return missing;
  const contents = fileContents(service.store, link.data.file);
  if (!contents) return missing;
  return { status: 200, headers: { 'content-type': contents.type }, body: contents.body };
};
