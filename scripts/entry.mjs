/**
 * Runs one of the program's entry points in this process (so that a signal sent to it, or to the
 * npm script that `exec`s it, reaches the server itself), from the compiled JavaScript in dist/
 * that `npm ci` builds: ready sooner and smaller than under tsx's loader (`npm run bench -- schema`).
 * When anything under src/ is newer than the build (an edit, a checkout), it runs src/ under tsx
 * instead and says so on stderr, rather than serving stale code or rebuilding under concurrent starts.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The newest modification time of the files under `dir` (0 when it does not exist). */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/**
 * Whether dist/ holds `entry` built from the src/ beside it: no file under src/ is newer (an image
 * holds dist/ only, no src/: the build is then the program).
 */
export function isBuilt(entry) {
  const built = join(root, 'dist', `${entry}.js`);
  return existsSync(built) && newest(join(root, 'src')) <= statSync(built).mtimeMs;
}

/** `entry` without extension, relative to src/ (and dist/): e.g. `server/main`. */
export async function runEntry(entry) {
  if (isBuilt(entry)) {
    await import(pathToFileURL(join(root, 'dist', `${entry}.js`)).href);
    return;
  }
  process.stderr.write(
    'src/ is newer than dist/: running from source under tsx (`npm run build` starts faster)\n',
  );
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'src', `${entry}.ts`)).href);
}
