import { existsSync } from "node:fs";
import { defineConfig } from "@playwright/test";
import { SERVER_NODE_FLAGS } from "./lib/server/node-flags";
import { E2E_BASE_URL, storageStateOf } from "./tests/e2e/constants";

// End-to-end tests drive Debian's Chromium (Playwright's own download is unreachable offline)
// against the production build, served by the real start command on a fresh database.
/**
 * Debian's old headless shell (package chromium-headless-shell): the browser Playwright itself
 * prefers for headless runs. It renders pages as Chromium does without the full browser around
 * them, and used half of Chromium's CPU on two journeys (8.9 against 18.4 CPU-seconds).
 */
const HEADLESS_SHELL = "/usr/bin/chromium-headless-shell";

export default defineConfig({
  testDir: "tests/e2e",
  outputDir: "test-results",
  // A journey takes 10-50 s with two workers on two cores; twice the slowest leaves room for a busy machine.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: 2,
  forbidOnly: true,
  reporter: [["list"]],
  use: {
    baseURL: E2E_BASE_URL,
    // A failed test keeps its trace: actions, DOM snapshots, network, console. Not the screencast:
    // encoding a frame after every change was about a third of Chromium's CPU in the whole run
    // (measured on two journeys: 35 CPU-s with it, 25 without, 20 with no trace at all).
    trace: { mode: "retain-on-failure", screenshots: false, snapshots: true, sources: true },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? (existsSync(HEADLESS_SHELL) ? HEADLESS_SHELL : "/usr/bin/chromium"),
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: [
    { name: "setup", testMatch: /.*\.setup\.ts/ },
    { name: "signed-out", testMatch: /signed-out\/.*\.spec\.ts/ },
    {
      name: "admin",
      testMatch: /admin\/.*\.spec\.ts/,
      dependencies: ["setup"],
      use: { storageState: storageStateOf("admin") },
    },
    // Journeys that switch between roles pick each role's saved session themselves.
    { name: "journeys", testMatch: /journeys\/.*\.spec\.ts/, dependencies: ["setup"] },
    // Last, once everything else has run against the server: checks the server's whole log.
    { name: "final", testMatch: /final\/.*\.spec\.ts/, dependencies: ["signed-out", "admin", "journeys"] },
  ],
  webServer: {
    // The start command's own Node flags: serve.ts starts the server in its process.
    command: `node ${SERVER_NODE_FLAGS.join(" ")} --import tsx tests/e2e/serve.ts`,
    url: `${E2E_BASE_URL}/api/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
  },
});
