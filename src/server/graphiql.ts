/**
 * GraphiQL served from this process, never from a CDN: Yoga's own page loads its bundle from
 * unpkg, which fails offline and behind strict networks. The page below references assets under
 * `/graphiql/`, which come from the `@graphql-yoga/render-graphiql` package (loaded on first use,
 * cached in memory, gzipped once, served with an ETag).
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { GraphiQLOptions } from 'graphql-yoga';

export const GRAPHIQL_ASSETS_PATH = '/graphiql/';

const gzipAsync = promisify(gzip);

type AssetModule = typeof import('@graphql-yoga/render-graphiql/graphiql');

interface AssetSpec {
  contentType: string;
  body: (m: AssetModule) => Buffer;
}

const JS = 'text/javascript; charset=utf-8';

const ASSETS: Readonly<Record<string, AssetSpec>> = {
  'graphiql.css': { contentType: 'text/css; charset=utf-8', body: (m) => Buffer.from(m.css) },
  'yoga-graphiql.js': { contentType: JS, body: (m) => Buffer.from(m.js) },
  'editor.worker.js': { contentType: JS, body: (m) => Buffer.from(m.editorWorkerService) },
  'json.worker.js': { contentType: JS, body: (m) => Buffer.from(m.jsonWorker) },
  'graphql.worker.js': { contentType: JS, body: (m) => Buffer.from(m.graphqlWorker) },
  'favicon.ico': { contentType: 'image/x-icon', body: (m) => dataUriBytes(m.favicon) },
};

function dataUriBytes(uri: string): Buffer {
  const comma = uri.indexOf(',');
  const meta = uri.slice(0, comma);
  const data = uri.slice(comma + 1);
  return meta.endsWith(';base64') ? Buffer.from(data, 'base64') : Buffer.from(decodeURIComponent(data));
}

/** Monaco's workers by the label it asks for. */
const WORKERS = {
  editorWorkerService: `${GRAPHIQL_ASSETS_PATH}editor.worker.js`,
  json: `${GRAPHIQL_ASSETS_PATH}json.worker.js`,
  graphql: `${GRAPHIQL_ASSETS_PATH}graphql.worker.js`,
};

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value ?? {})
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Yoga's `renderGraphiQL`: the page, with its assets served locally. */
export function renderGraphiQLPage(options?: GraphiQLOptions): string {
  const title = escapeHtml(options?.title ?? 'GraphiQL');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${title}</title>
    <link rel="icon" href="${GRAPHIQL_ASSETS_PATH}favicon.ico" />
    <link rel="stylesheet" href="${GRAPHIQL_ASSETS_PATH}graphiql.css" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to use GraphiQL.</noscript>
    <div id="root"></div>
    <script>
      self.MonacoEnvironment = {
        globalAPI: false,
        getWorkerUrl: function (_moduleId, label) {
          var workers = ${scriptJson(WORKERS)};
          return workers[label] || workers.editorWorkerService;
        },
      };
    </script>
    <script src="${GRAPHIQL_ASSETS_PATH}yoga-graphiql.js"></script>
    <script>
      YogaGraphiQL.renderYogaGraphiQL(document.querySelector('#root'), ${scriptJson(options)});
    </script>
  </body>
</html>
`;
}

interface LoadedAsset {
  contentType: string;
  body: Buffer;
  gzipped: Promise<Buffer> | undefined;
  etag: string;
}

/**
 * The assets, loaded on first use (about 9 MB of JavaScript source, some 70 MB of memory once
 * loaded): a server that never shows GraphiQL never pays for them.
 */
export class GraphiQLAssets {
  private module: Promise<AssetModule> | undefined;
  private readonly loaded = new Map<string, LoadedAsset>();

  /** Starts loading the bundle so that the first page view does not wait for it. */
  preload(): Promise<void> {
    return this.load().then(
      () => undefined,
      () => undefined, // reported when an asset is asked for
    );
  }

  private load(): Promise<AssetModule> {
    this.module ??= import('@graphql-yoga/render-graphiql/graphiql').catch((error: unknown) => {
      this.module = undefined;
      throw error;
    });
    return this.module;
  }

  has(name: string): boolean {
    return Object.hasOwn(ASSETS, name);
  }

  /** The response for `/graphiql/<name>`, or undefined for an unknown name. */
  async respond(
    name: string,
    request: Request,
    ResponseClass: typeof Response,
  ): Promise<Response | undefined> {
    const spec = ASSETS[name];
    if (!spec) return undefined;
    let asset = this.loaded.get(name);
    if (!asset) {
      const body = spec.body(await this.load());
      asset = {
        contentType: spec.contentType,
        body,
        gzipped: undefined,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      };
      this.loaded.set(name, asset);
    }
    const headers: Record<string, string> = {
      'content-type': asset.contentType,
      'cache-control': 'public, max-age=3600',
      etag: asset.etag,
      vary: 'accept-encoding',
    };
    if (request.headers.get('if-none-match') === asset.etag) {
      return new ResponseClass(null, { status: 304, headers });
    }
    let body: Buffer = asset.body;
    if (/\bgzip\b/.test(request.headers.get('accept-encoding') ?? '') && asset.body.length > 1024) {
      asset.gzipped ??= gzipAsync(asset.body);
      body = await asset.gzipped;
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = String(body.length);
    return new ResponseClass(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers,
    });
  }
}
