/**
 * `npm start`: the gateway in this process (so a container's SIGTERM reaches it), from the compiled
 * JavaScript in dist/ that `npm ci` builds (`prepare` runs codegen and `npm run build`). Compiled,
 * it is ready sooner and holds less memory than under tsx's loader (`npm run bench -- schema`).
 * When anything under src/ is newer than the build (an edit, a checkout), it runs src/ under tsx
 * instead and says so, rather than serving stale code or rebuilding under concurrent starts.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'server', 'main.js');

/** The newest modification time of the files under `dir`. */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

if (existsSync(built) && newest(join(root, 'src')) <= statSync(built).mtimeMs) {
  await import(pathToFileURL(built).href);
} else {
  process.stderr.write(
    'src/ is newer than dist/: running from source under tsx (`npm run build` starts faster)\n',
  );
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'src', 'server', 'main.ts')).href);
}
