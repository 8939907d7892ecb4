import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { missingServerFlags, SERVER_NODE_FLAGS } from "../../lib/server/node-flags";

// The server's Node flags are listed once (lib/server/node-flags.ts); package.json's scripts that
// start the server must pass every one of them, before the script they run.
const scripts = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> }).scripts;

describe("the server's Node flags", () => {
  it.each(["start", "dev", "demo"])("npm run %s passes every one to node", (name) => {
    const [node, ...args] = scripts[name].split(/\s+/);
    expect(node).toBe("node");
    const script = args.findIndex((arg) => arg.endsWith(".ts"));
    expect(missingServerFlags(args.slice(0, script))).toEqual([]);
  });

  it("names the flags a process was started without", () => {
    expect(SERVER_NODE_FLAGS.length).toBeGreaterThan(0);
    expect(missingServerFlags(["--import", "tsx"])).toEqual([...SERVER_NODE_FLAGS]);
    expect(missingServerFlags([...SERVER_NODE_FLAGS, "--import", "tsx"])).toEqual([]);
  });
});
