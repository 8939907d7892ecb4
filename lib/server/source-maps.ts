// Node's source maps in the server process. tsx turns them on for the whole process, and Node 20
// then reads and keeps the source map of every module it loads: Next's own and those of each
// compiled route the server goes on to serve. Measured at 5,000 configs and 10,000 keys: 47 MB of
// heap and about 80 MB of resident memory, growing with the routes served (README, "At scale").

/** Whether the process was started with `--enable-source-maps` (on the command line or in NODE_OPTIONS). */
function asked(): boolean {
  return [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].includes("--enable-source-maps");
}

/**
 * Source maps off for a server built for production, unless asked for: its stack traces then name
 * the compiled JavaScript's lines, as under `next start`. The dev server keeps them. Call it
 * before the server's modules load: a module loaded while they are on keeps its map.
 */
export function setServerSourceMaps(dev: boolean): void {
  if (!dev && !asked()) process.setSourceMapsEnabled(false);
}
