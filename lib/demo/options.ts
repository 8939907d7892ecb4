// `npm run demo`'s command line: what it prints for --help, and the options it takes. Pure.

export const DEMO_USAGE = `Usage: npm run demo [-- options]

Starts LLM Canary (the same server as npm start, on the same database), seeds three demo
configs with a canary each, and sends simulated users through the client API, so the console
shows one canary promoted and two rolled back within a minute or so. Stop with Ctrl-C.

Options:
  --exit-when-done  stop once every rollout has ended
  --url URL         drive a server started elsewhere instead of starting one, e.g.
                    http://localhost:3000: the demo seeds it through its admin API and sends
                    the simulated traffic there (the server's controller does the rest)
  --key KEY         that server's API key with the admin scope (or set LLM_CANARY_KEY);
                    needed with --url
  -h, --help        print this and exit`;

export interface DemoOptions {
  help: boolean;
  exitWhenDone: boolean;
  /** Set by --url: the server to drive, and the admin key to drive it with. */
  remote: { url: string; key: string } | null;
}

/** A command line the demo cannot run; the message says why, for printing above DEMO_USAGE. */
export class DemoUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DemoUsageError";
  }
}

const VALUED = new Set(["--url", "--key"]);

/** The options in `args` (process.argv after the script); the key may come from LLM_CANARY_KEY instead. */
export function parseDemoArgs(args: readonly string[], env: Record<string, string | undefined> = {}): DemoOptions {
  const values = new Map<string, string>();
  let help = false;
  let exitWhenDone = false;
  for (let i = 0; i < args.length; i++) {
    // `--url=http://…` or `--url http://…`.
    const equals = args[i].startsWith("--") ? args[i].indexOf("=") : -1;
    const flag = equals > 0 ? args[i].slice(0, equals) : args[i];
    const inline = equals > 0 ? args[i].slice(equals + 1) : undefined;
    if (flag === "-h" || flag === "--help") help = true;
    else if (flag === "--exit-when-done" && inline === undefined) exitWhenDone = true;
    else if (VALUED.has(flag)) {
      const value = inline ?? args[++i];
      if (value === undefined || value === "" || (inline === undefined && value.startsWith("--"))) throw new DemoUsageError(`${flag} needs a value.`);
      values.set(flag, value);
    } else throw new DemoUsageError(`Unknown option ${args[i]}.`);
  }
  if (help) return { help, exitWhenDone, remote: null };

  const url = values.get("--url");
  const key = values.get("--key") ?? (url !== undefined ? env.LLM_CANARY_KEY : undefined);
  if (url === undefined) {
    if (values.has("--key")) throw new DemoUsageError("--key is for a server started elsewhere: give its --url too.");
    return { help, exitWhenDone, remote: null };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DemoUsageError(`--url ${url} is not a URL; give the console's address, like http://localhost:3000.`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new DemoUsageError(`--url ${url} must start with http:// or https://.`);
  if (!key) throw new DemoUsageError("--url needs an API key with the admin scope: --key KEY, or LLM_CANARY_KEY in the environment.");
  return { help, exitWhenDone, remote: { url: parsed.origin + parsed.pathname.replace(/\/+$/, ""), key } };
}
