// Loud failure on use rather than a silent no-op: only `prisma dev` reaches this package.
function unavailable() {
  throw new Error("@prisma/streams-local is not installed: `prisma dev` needs Node 22. LLM Canary runs its own embedded PGlite instead.");
}
export default unavailable;
