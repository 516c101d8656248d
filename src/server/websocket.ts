/**
 * GraphQL over WebSocket (the `graphql-transport-ws` protocol of graphql-ws, on `ws`) beside Yoga's
 * Server-Sent Events, on the same port and path: every operation runs through the gateway's
 * envelop (parse, validate, limits, context, masking), as Yoga documents for graphql-ws. The
 * context is built from the upgrade request (headers such as `Stripe-Account` apply) and is
 * cancelled when the socket closes.
 */
import type { Server } from 'node:http';
import { type ExecutionArgs, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { GatewayYoga } from './gateway.ts';

export interface WebSocketService {
  close(): Promise<void>;
}

type Enveloped = ReturnType<GatewayYoga['getEnveloped']>;

export function serveWebSockets(server: Server, yoga: GatewayYoga, path: string): WebSocketService {
  const wss = new WebSocketServer({ server, path });
  const disposable = useServer(
    {
      execute: (args) => (args.rootValue as Enveloped).execute(args as ExecutionArgs),
      subscribe: (args) => (args.rootValue as Enveloped).subscribe(args as ExecutionArgs),
      onSubscribe: async (ctx, _id, params) => {
        const upgrade = ctx.extra.request;
        const headers = new Headers();
        for (const [name, value] of Object.entries(upgrade.headers)) {
          if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        const aborted = new AbortController();
        ctx.extra.socket.once('close', () => aborted.abort());
        const request = new Request(`http://localhost${upgrade.url ?? path}`, {
          headers,
          signal: aborted.signal,
        });
        const enveloped = yoga.getEnveloped({ request, params });
        const { schema, parse, validate, contextFactory } = enveloped;
        let document: ReturnType<typeof parse>;
        try {
          document = parse(params.query);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        return {
          schema,
          document,
          operationName: params.operationName,
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: enveloped,
        };
      },
    },
    wss,
  );
  return {
    async close() {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
