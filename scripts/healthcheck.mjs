#!/usr/bin/env node
/** The image's HEALTHCHECK: exit 0 when this container's gateway answers GET /healthz with 200. */
const port = process.env.PORT || '4000';
fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
