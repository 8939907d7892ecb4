/** @type {import('next').NextConfig} */
const nextConfig = {
  // The security headers (with a per-page CSP nonce) are set in proxy.ts from lib/security-headers.ts.
  // Loaded by Node at run time, not bundled: the driver adapters must be the same module
  // instances the custom server uses.
  serverExternalPackages: [
    "@prisma/adapter-pg",
    "@prisma/client",
    "@prisma/driver-adapter-utils",
    "pg",
    "bcryptjs",
  ],
  poweredByHeader: false,
  // `npm run dev` reached as 127.0.0.1 as well as localhost (Next blocks other dev origins).
  allowedDevOrigins: ["127.0.0.1"],
  reactStrictMode: true,
  // Each route's modules load when it is first asked for, not all at start: an instance that only
  // answers the client API (served outside Next) never holds the console's and admin API's code.
  // Measured at 5,000 configs and 10,000 keys (README, "At scale").
  experimental: { preloadEntriesOnStart: false },
  // `npm test` builds for its end-to-end tests and skips the build's own TypeScript pass (half of
  // the build's time): `npm run typecheck` checks the same tsconfig, and CI runs it. Every other
  // build type-checks.
  typescript: { ignoreBuildErrors: process.env.LLM_CANARY_BUILD_SKIPS_TYPECHECK === "1" },
};

export default nextConfig;
