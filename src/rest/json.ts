/**
 * Stripe's answers, from bytes to values. A small answer is decoded and parsed whole. A large list
 * page (a hundred charges with their customers expanded is several hundred KB) is parsed one item
 * at a time: V8 places a string over 128 KiB in its large-object space, which maps fresh memory for
 * every such string, and touching it page-faults on every 4 KiB. Items are found without scanning
 * the bytes in JavaScript: each candidate piece ends where the separator between two items of the
 * page could be, and a piece counts only when `JSON.parse` takes it whole. A complete JSON value that
 * starts where an item starts ends where that item ends, so an accepted piece is exactly one item.
 * Anything unexpected falls back to parsing the whole answer. (One difference from `JSON.parse` of
 * the whole: a page that repeated its `data` key, which Stripe never sends, would keep both arrays.)
 */

/** Below this, the whole answer is one string in V8's ordinary heap. */
const SPLIT_FROM_BYTES = 120_000;
/** Candidate separators that turn out to lie inside an item, before the whole answer is parsed. */
const MAX_MISSES = 4;
/** A list or search page, opened up to its first item: the layout Stripe and the emulator use. */
const PAGE_HEAD = /^\{\s*"object"\s*:\s*"(?:list|search_result)"\s*,\s*"data"\s*:\s*\[(\s*)\{/;
/** An item's opening up to its id's prefix (`{"id":"ch_`), which sharpens the separator. */
const ITEM_LEAD = /^\{\s*"id"\s*:\s*"[A-Za-z]+_/;

function utf8(bytes: Buffer, start = 0, end = bytes.length): string {
  return bytes.toString('utf8', start, end);
}

/** Decodes an answer as UTF-8, without the byte-order mark some proxies add. */
export function decodeBody(bytes: Uint8Array): string {
  const buffer = asBuffer(bytes);
  const bom = buffer.length >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf;
  return utf8(buffer, bom ? 3 : 0);
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** `JSON.parse` of the decoded answer, with the same result; throws `SyntaxError` on invalid JSON. */
export function parseBody(bytes: Uint8Array): unknown {
  const buffer = asBuffer(bytes);
  if (buffer.length < SPLIT_FROM_BYTES) return JSON.parse(decodeBody(buffer));
  return parsePage(buffer) ?? JSON.parse(decodeBody(buffer));
}

/** A large page parsed item by item, or undefined when it is not laid out as one. */
function parsePage(buffer: Buffer): unknown {
  const head = PAGE_HEAD.exec(buffer.toString('latin1', 0, 128));
  if (!head) return undefined;
  const space = head[1] ?? '';
  const first = head[0].length - 1;
  const lead = ITEM_LEAD.exec(buffer.toString('latin1', first, first + 96))?.[0] ?? '{';
  // Between two items: the end of one, a comma, the same white space as before the first, the next.
  const separator = Buffer.from(`},${space}${lead}`, 'latin1');
  const items: unknown[] = [];
  let start = first;
  let misses = 0;
  for (let at = buffer.indexOf(separator, start); at !== -1; at = buffer.indexOf(separator, at + 1)) {
    let item: unknown;
    try {
      item = JSON.parse(utf8(buffer, start, at + 1));
    } catch {
      // The separator's bytes lie inside the item (a nested list of the same kind): look further.
      if (++misses > MAX_MISSES) return undefined;
      continue;
    }
    items.push(item);
    start = at + 2 + space.length;
  }
  // The last item and the rest of the page, behind the page's own opening.
  let rest: unknown;
  try {
    rest = JSON.parse(buffer.toString('latin1', 0, first) + utf8(buffer, start));
  } catch {
    return undefined;
  }
  const page = rest as { data?: unknown };
  if (!Array.isArray(page.data)) return undefined;
  page.data = items.length === 0 ? page.data : items.concat(page.data);
  return page;
}
