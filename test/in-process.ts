/**
 * Setup of the `unit` project (vitest.config.ts): its tests run in-process, so listening on a
 * port fails at once, naming the way out. Tests that need a socket live under test/net.
 */
import { Server } from 'node:net';

Server.prototype.listen = function listen(): never {
  throw new Error(
    'the unit project listens on no port: serve the emulator in-process (createEmulator({ listen: false }), ' +
      'EmulatorDispatcher, yoga.fetch), or move a test that needs a socket to test/net',
  );
};
