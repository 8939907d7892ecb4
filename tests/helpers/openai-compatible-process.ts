import { spawn } from "node:child_process";
import path from "node:path";

// The OpenAI-compatible test server (./openai-compatible-server.ts) as a process of its own, as a
// real provider would be: tests reach it over HTTP only.

export interface ProviderProcess {
  /** e.g. http://127.0.0.1:41234 — the API lives under /v1. */
  origin: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startProviderProcess(options: { host?: string; apiKey?: string } = {}): Promise<ProviderProcess> {
  const script = path.join(import.meta.dirname, "openai-compatible-server.ts");
  const child = spawn(process.execPath, ["--import", "tsx", script, "--host", options.host ?? "127.0.0.1"], {
    env: { ...process.env, TEST_PROVIDER_API_KEY: options.apiKey ?? "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let output = "";
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the test provider did not start within 60 s: ${output}`)), 60_000);
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the test provider exited (${code}) before listening: ${output}`));
    });
  });
  return {
    origin,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
