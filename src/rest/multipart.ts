/**
 * `multipart/form-data` for Stripe's file uploads (`POST /v1/files` on the files host), as the SDK
 * sends it: every parameter a part, nested hashes with bracketed names (`file_link_data[create]`),
 * `Blob`s (and `File`s, with their name and type) as file parts. Built once, so retries resend the
 * same bytes.
 */
import { randomUUID } from 'node:crypto';

type Part = [name: string, value: string | Blob];

/** A Blob or File, Node's or a fetch ponyfill's. */
const isBlob = (value: unknown): value is Blob =>
  typeof value === 'object' && value !== null && typeof (value as Blob).arrayBuffer === 'function';

function flatten(key: string, value: unknown, out: Part[]): void {
  if (value === undefined) return;
  if (isBlob(value)) out.push([key, value]);
  else if (value === null) out.push([key, '']);
  else if (value instanceof Date) out.push([key, String(Math.floor(value.getTime() / 1000))]);
  else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) flatten(`${key}[${i}]`, value[i], out);
  } else if (typeof value === 'object') {
    for (const [child, childValue] of Object.entries(value)) flatten(`${key}[${child}]`, childValue, out);
  } else out.push([key, String(value)]);
}

/** A header parameter value: no quotes or line breaks can escape it. */
const quoted = (text: string) => `"${text.replace(/["\r\n]/g, (c) => encodeURIComponent(c))}"`;

export async function encodeMultipart(
  params: object | undefined,
): Promise<{ body: Buffer; contentType: string }> {
  const boundary = `----StripeGraphQLGateway${randomUUID().replace(/-/g, '')}`;
  const parts: Part[] = [];
  for (const [key, value] of Object.entries(params ?? {})) flatten(key, value, parts);
  const chunks: Buffer[] = [];
  for (const [name, value] of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(name)}`;
    if (typeof value === 'string') {
      chunks.push(Buffer.from(`${head}\r\n\r\n${value}\r\n`));
      continue;
    }
    const filename = (value as Partial<File>).name || 'upload';
    head += `; filename=${quoted(filename)}\r\nContent-Type: ${value.type || 'application/octet-stream'}`;
    chunks.push(Buffer.from(`${head}\r\n\r\n`), Buffer.from(await value.arrayBuffer()), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
