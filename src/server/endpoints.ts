/**
 * The server's non-GraphQL endpoints: `GET /healthz` (process up), `GET /readyz` (upstream
 * reachable), `GET /metrics` (Prometheus text format) and the GraphiQL assets under `/graphiql/`.
 */
import type { Plugin } from 'graphql-yoga';
import { GRAPHIQL_ASSETS_PATH, type GraphiQLAssets } from './graphiql.ts';
import type { Readiness } from './health.ts';
import { type GatewayMetrics, PROMETHEUS_CONTENT_TYPE } from './metrics.ts';

export interface EndpointsOptions {
  metrics: GatewayMetrics;
  readiness: Readiness;
  /** undefined when GraphiQL is off */
  assets: GraphiQLAssets | undefined;
  graphqlEndpoint: string;
}

/** A fresh object each time: `Response.json` writes its content type into the headers it is given. */
const noStore = (): Record<string, string> => ({ 'cache-control': 'no-store' });

export function useGatewayEndpoints(options: EndpointsOptions): Plugin {
  const { metrics, readiness, assets, graphqlEndpoint } = options;
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      const { pathname } = url;
      const isRead = request.method === 'GET' || request.method === 'HEAD';
      // A GraphQL POST, most of the traffic, is none of this plugin's business.
      if (!isRead && pathname === graphqlEndpoint) return;
      const json = (status: number, body: unknown) =>
        fetchAPI.Response.json(body, { status, headers: noStore() });

      if (pathname === '/healthz' || pathname === '/readyz' || pathname === '/metrics') {
        if (!isRead) {
          endResponse(new fetchAPI.Response(null, { status: 405, headers: { allow: 'GET, HEAD' } }));
          return;
        }
        if (pathname === '/healthz') {
          endResponse(json(200, { status: 'ok', uptimeSeconds: Math.round(process.uptime()) }));
          return;
        }
        if (pathname === '/metrics') {
          endResponse(
            new fetchAPI.Response(metrics.render(), {
              status: 200,
              headers: { ...noStore(), 'content-type': PROMETHEUS_CONTENT_TYPE },
            }),
          );
          return;
        }
        return readiness.check().then((state) => {
          endResponse(
            json(state.ready ? 200 : 503, { status: state.ready ? 'ready' : 'unavailable', ...state }),
          );
        });
      }

      // A GraphiQL page view: its bundle (about 9 MB, loaded on demand) will be asked for next.
      if (
        assets &&
        isRead &&
        pathname === graphqlEndpoint &&
        request.headers.get('accept')?.includes('text/html')
      ) {
        void assets.preload();
      }

      if (assets && pathname.startsWith(GRAPHIQL_ASSETS_PATH) && isRead) {
        const name = pathname.slice(GRAPHIQL_ASSETS_PATH.length);
        if (!assets.has(name)) return;
        return assets.respond(name, request, fetchAPI.Response).then((response) => {
          if (response) endResponse(response);
        });
      }
      return;
    },
  };
}
