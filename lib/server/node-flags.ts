// The flags the server's Node process starts with: `npm start`, `npm run dev` and `npm run demo`
// pass them (package.json; a unit test keeps the scripts in step with this list), and so do the
// tests and benchmarks that start the server as a process. They cannot be set once the process
// runs: V8 reads them when it creates an isolate's heap (ours are set later: ./gc-tuning.ts).
//
// - One thread for concurrent marking, not one per V8 worker thread (Node starts four). The heap
//   of the thread serving the gateway is 35-45 MB, which one helper marks in about 30 ms. With
//   four, a full collection under load ran four marking threads beside the thread serving calls on
//   a 2-core machine, and that thread's marking steps took 8-16 ms instead of under 1 (measured
//   with --trace-incremental-marking: a step that marked 64 KB in 8.1 ms while the helpers marked
//   25 MB): every call in flight waited. bench:gateway, whole answers, p99 time added: 3.0-6.8 ms
//   (8 of 9 runs within 4.7) with one marking thread, 4.8-10.8 ms in eight without (README).

export const SERVER_NODE_FLAGS: readonly string[] = ["--concurrent-marking-max-worker-num=1"];

/** The flags this process was started without (an empty list when it has them all). */
export function missingServerFlags(execArgv: readonly string[] = process.execArgv): string[] {
  return SERVER_NODE_FLAGS.filter((flag) => !execArgv.includes(flag));
}
