import { SERVER_NODE_FLAGS } from "../../lib/server/node-flags";

/**
 * `npm start`'s command as `node` arguments, for the tests and benches that start the production
 * server as a process of their own (never through npm, so the pid is the server's); `nodeFlags`
 * (a profiler's, say) come before the script. Its Node flags are lib/server/node-flags.ts's.
 */
export function serverStartArgs(nodeFlags: readonly string[] = []): string[] {
  return [...SERVER_NODE_FLAGS, ...nodeFlags, "--import", "tsx", "lib/server/start.ts"];
}
