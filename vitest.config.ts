import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    // next-auth imports "next/server" without an extension, which Node's ESM loader refuses;
    // letting Vite transform it resolves the import the way Next does.
    server: { deps: { inline: ["next-auth", "@auth/core"] } },
    // Tests deliver alerts to receivers on 127.0.0.1, which the outbound policy refuses by default;
    // tests of the policy itself turn it back on (tests/integration/outbound-policy.test.ts).
    // Passwords are hashed at bcrypt's cost 4, not 12: the suite signs in and creates users
    // hundreds of times, and at 12 each of those took a quarter of a second of CPU.
    env: { LLM_CANARY_ALLOW_PRIVATE_NETWORKS: "true", LLM_CANARY_PASSWORD_HASH_COST: "4" },
    // Each integration file gets its own database; two workers fit two cores.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node" },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/helpers/integration-global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
