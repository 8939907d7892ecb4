/** @type {import('next').NextConfig} */
const nextConfig = {
  // Loaded by Node at run time, not bundled: PGlite ships WASM and data files, and the
  // driver adapters must be the same module instances the custom server uses.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "pglite-prisma-adapter",
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
