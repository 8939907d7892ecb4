import { z } from "zod";

// In the browser, zod would probe whether `new Function` works the first time it builds an object
// schema (the console builds some: the forms share the server's schemas and limits). The page CSP
// allows no eval (script-src without 'unsafe-eval', lib/security-headers.ts), so the probe is
// refused and reported as a policy violation, although zod catches it and parses without compiled
// code. `jitless` skips the probe. Only in the browser: the server keeps zod's compiled parsers
// (its config lives on globalThis, shared with the client API's hot path). Import this module
// before anything that builds a schema.
if (typeof window !== "undefined") z.config({ jitless: true });
