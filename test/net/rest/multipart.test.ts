/** File uploads: multipart/form-data to the files host, the same bytes and key on every retry. */
import { afterEach, describe, expect, it } from 'vitest';
import { createRestClient, type RestClient } from '../../../src/rest/client.ts';
import { startServer, type TestServer } from './harness.ts';

let servers: TestServer[] = [];
let clients: RestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  clients = [];
});

const json = (status: number, body: unknown) => (_req: unknown, res: any) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('multipart uploads', () => {
  it('sends parts (nested ones bracketed, the file with its name and type) to the files host', async () => {
    const api = await startServer(json(200, {}));
    const files = await startServer(json(200, { id: 'file_1', object: 'file' }));
    servers.push(api, files);
    const rest = createRestClient({
      secretKey: 'sk_test_x',
      apiBase: api.url,
      filesBase: `${files.url}/prefix`,
    });
    clients.push(rest);
    const file = new File(['hello, "world"'], 'notes "1".txt', { type: 'text/plain' });
    const result = await rest.request({
      method: 'POST',
      path: '/v1/files',
      multipart: true,
      params: { purpose: 'dispute_evidence', file, file_link_data: { create: true, metadata: { a: 'b' } } },
      idempotencyKey: 'upload-1',
    });
    expect(result).toEqual({ id: 'file_1', object: 'file' });
    expect(api.requests).toHaveLength(0);
    const [sent] = files.requests;
    expect(sent!.url).toBe('/prefix/v1/files');
    expect(sent!.headers['idempotency-key']).toBe('upload-1');
    const boundary = /boundary=(.+)$/.exec(String(sent!.headers['content-type']))![1]!;
    expect(String(sent!.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/);
    const parts = sent!.body.split(`--${boundary}`).slice(1, -1);
    expect(parts).toEqual([
      '\r\nContent-Disposition: form-data; name="purpose"\r\n\r\ndispute_evidence\r\n',
      '\r\nContent-Disposition: form-data; name="file"; filename="notes %221%22.txt"\r\nContent-Type: text/plain\r\n\r\nhello, "world"\r\n',
      '\r\nContent-Disposition: form-data; name="file_link_data[create]"\r\n\r\ntrue\r\n',
      '\r\nContent-Disposition: form-data; name="file_link_data[metadata][a]"\r\n\r\nb\r\n',
    ]);
    expect(sent!.body.endsWith(`--${boundary}--\r\n`)).toBe(true);
  });

  it('retries with the same bytes and idempotency key', async () => {
    const server = await startServer((req, res, _captured, index) =>
      index === 0
        ? json(500, { error: { type: 'api_error', message: 'boom' } })(req, res)
        : json(200, { id: 'file_2' })(req, res),
    );
    servers.push(server);
    const rest = createRestClient({
      secretKey: 'sk_test_x',
      apiBase: server.url,
      maxRetries: 1,
      initialRetryDelayMs: 0,
    });
    clients.push(rest);
    await rest.request({
      method: 'POST',
      path: '/v1/files',
      multipart: true,
      params: { purpose: 'business_logo', file: new Blob([new Uint8Array([0, 1, 2, 255])]) },
    });
    const [first, second] = server.requests;
    expect(second!.body).toBe(first!.body);
    expect(second!.headers['idempotency-key']).toBe(first!.headers['idempotency-key']);
    expect(first!.body).toContain('filename="upload"\r\nContent-Type: application/octet-stream');
  });
});
