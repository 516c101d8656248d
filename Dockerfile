# syntax=docker/dockerfile:1.7
# The gateway's production image. Two stages, whose steps are scripts/image-steps.sh (the same
# commands test/net/image.test.ts runs without a container runtime):
#   build    every dependency, codegen and the TypeScript build into dist/
#   runtime  dist/, scripts/ and the production dependencies only, run as the non-root `node` user
#
#   docker build -t stripe-graphql-gateway .
#   docker run -p 4000:4000 -e STRIPE_SECRET_KEY=sk_test_… -e AUTH_MODE=jwt -e JWT_JWKS_URL=… \
#     -e JWT_ISSUER=… -e JWT_AUDIENCE=… stripe-graphql-gateway
#
# NODE_ENV=production: a Stripe key is required and the built-in emulator never starts. To try the
# image on the emulator's demo data, ask for it: -e NODE_ENV=development -e AUTH_NONE_ALLOW_REMOTE=true.
ARG NODE_IMAGE=node:20.20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /build
COPY . .
RUN --mount=type=cache,target=/root/.npm sh scripts/image-steps.sh build

FROM ${NODE_IMAGE} AS runtime
# malloc's thresholds fixed, as `npm start` sets them: large buffers unmapped when freed, the
# heap's free top given back (bench/NOTES.md, memory, fourth round).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    MALLOC_TRIM_THRESHOLD_=131072 \
    MALLOC_MMAP_THRESHOLD_=131072
WORKDIR /app
RUN --mount=type=bind,from=build,source=/build,target=/build \
    --mount=type=cache,target=/root/.npm \
    sh /build/scripts/image-steps.sh runtime /build /app
# The files stay root's (read-only to the server); the process is not root.
USER node
EXPOSE 4000
# The server drains in-flight requests and completes subscriptions on SIGTERM (SHUTDOWN_TIMEOUT_MS,
# default 10 s: keep `docker stop -t` above it).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "scripts/healthcheck.mjs"]
# Exec form: node is PID 1 and receives SIGTERM itself (no shell or npm in between). The flags are
# `npm start`'s, and its `env` settings the ENV above (package.json; the image test checks they agree).
CMD ["node", "--expose-gc", "--max-semi-space-size=16", "--heap-growing-percent=45", "scripts/start.mjs"]
