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
};

export default nextConfig;
