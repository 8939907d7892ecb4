import { describe, expect, it } from "vitest";
import { DEMO_USAGE, DemoUsageError, parseDemoArgs } from "@/lib/demo/options";

describe("npm run demo's options", () => {
  it("none: the demo starts its own server", () => {
    expect(parseDemoArgs([])).toEqual({ help: false, exitWhenDone: false, remote: null });
    expect(parseDemoArgs(["--exit-when-done"])).toMatchObject({ exitWhenDone: true, remote: null });
  });

  it("--help and -h ask for the usage, with the other options or without", () => {
    expect(parseDemoArgs(["--help"]).help).toBe(true);
    expect(parseDemoArgs(["--exit-when-done", "-h"]).help).toBe(true);
    expect(parseDemoArgs(["--help", "--url", "http://localhost:3000"]).help).toBe(true);
    for (const option of ["--exit-when-done", "--url", "--key", "--help"]) expect(DEMO_USAGE).toContain(option);
  });

  it("--url and --key drive a server started elsewhere; the key may come from LLM_CANARY_KEY", () => {
    expect(parseDemoArgs(["--url", "http://localhost:3000/", "--key", "lck_a_b"])).toEqual({ help: false, exitWhenDone: false, remote: { url: "http://localhost:3000", key: "lck_a_b" } });
    expect(parseDemoArgs(["--url=https://canary.example.com/base/", "--exit-when-done"], { LLM_CANARY_KEY: "lck_env_key" })).toEqual({
      help: false,
      exitWhenDone: true,
      remote: { url: "https://canary.example.com/base", key: "lck_env_key" },
    });
  });

  it("refuses what it cannot run, saying why", () => {
    const refusal = (args: string[], env = {}) => {
      try {
        parseDemoArgs(args, env);
      } catch (error) {
        if (error instanceof DemoUsageError) return error.message;
        throw error;
      }
      return null;
    };
    expect(refusal(["--start"])).toBe("Unknown option --start.");
    expect(refusal(["--url"])).toBe("--url needs a value.");
    expect(refusal(["--url", "--key", "k"])).toBe("--url needs a value.");
    expect(refusal(["--url", "http://localhost:3000"])).toBe("--url needs an API key with the admin scope: --key KEY, or LLM_CANARY_KEY in the environment.");
    expect(refusal(["--key", "lck_a_b"])).toBe("--key is for a server started elsewhere: give its --url too.");
    expect(refusal(["--url", "localhost:3000", "--key", "k"])).toBe("--url localhost:3000 must start with http:// or https://.");
    expect(refusal(["--url", "not a url", "--key", "k"])).toBe("--url not a url is not a URL; give the console's address, like http://localhost:3000.");
    // LLM_CANARY_KEY alone does not turn the remote mode on.
    expect(parseDemoArgs([], { LLM_CANARY_KEY: "lck_a_b" }).remote).toBeNull();
  });
});
