/**
 * `npm start`: the gateway in this process (the script `exec`s node, so a container's SIGTERM,
 * or one sent to npm, reaches it). See scripts/entry.mjs for dist/ against src/, and
 * scripts/idle-collect.mjs for the memory an idle process gives back.
 */
import { runEntry } from './entry.mjs';
import { collectWhenIdle } from './idle-collect.mjs';

collectWhenIdle();
await runEntry('server/main');
