/**
 * `npm start`: the gateway in this process (the script `exec`s node, so a container's SIGTERM,
 * or one sent to npm, reaches it). See scripts/entry.mjs for dist/ against src/.
 */
import { runEntry } from './entry.mjs';

await runEntry('server/main');
