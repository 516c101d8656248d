/**
 * `npm run emulator`: the Stripe emulator alone, in this process (the script `exec`s node: no tsx
 * wrapper process that a SIGTERM to npm would leave orphaned and listening).
 */
import { runEntry } from './entry.mjs';

await runEntry('emulator/main');
