// `npm test`: the whole suite, three layers, all real. Unit and integration tests (vitest), then
// the production build and the end-to-end tests in Chromium against it. Integration and e2e
// tests run on TEST_DATABASE_URL's PostgreSQL server, or on a throwaway server started here for
// the run (tests/helpers/test-server.ts).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { ensureTestServer } from "./helpers/test-server";

const bin = (name: string) => path.join(process.cwd(), "node_modules", ".bin", name);

interface Step {
  name: string;
  command: string;
  args: string[];
  skipIfFailed?: string;
  env?: Record<string, string>;
}

const steps: Step[] = [
  { name: "unit + integration (vitest)", command: bin("vitest"), args: ["run"] },
  // Without the build's own TypeScript pass (next.config.js): `npm run typecheck` is that check.
  { name: "production build (next build)", command: bin("next"), args: ["build"], env: { LLM_CANARY_BUILD_SKIPS_TYPECHECK: "1" } },
  { name: "end-to-end (playwright)", command: bin("playwright"), args: ["test"], skipIfFailed: "production build (next build)" },
];

const given = Boolean(process.env.TEST_DATABASE_URL);
const testServer = await ensureTestServer((line) => console.log(line));
console.log(`Database for integration and e2e tests: ${given ? "the PostgreSQL server of TEST_DATABASE_URL" : "a throwaway PostgreSQL server"}`);
const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
const results: { name: string; outcome: "passed" | "failed" | "skipped"; seconds: number }[] = [];

for (const step of steps) {
  if (step.skipIfFailed && results.some((r) => r.name === step.skipIfFailed && r.outcome !== "passed")) {
    results.push({ name: step.name, outcome: "skipped", seconds: 0 });
    continue;
  }
  console.log(`\n=== ${step.name} ===`);
  const started = Date.now();
  const run = spawnSync(step.command, step.args, { stdio: "inherit", env: { ...env, ...step.env } });
  results.push({ name: step.name, outcome: run.status === 0 ? "passed" : "failed", seconds: (Date.now() - started) / 1000 });
}

await testServer.close();
console.log("\n=== summary ===");
for (const r of results) console.log(`${r.outcome.padEnd(7)} ${r.name} (${r.seconds.toFixed(0)} s)`);
const failed = results.filter((r) => r.outcome !== "passed").length;
console.log(failed === 0 ? "All test layers passed." : `${failed} test layer(s) did not pass.`);
process.exit(failed === 0 ? 0 : 1);
