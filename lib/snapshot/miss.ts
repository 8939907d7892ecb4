// Errors that may only mean "this instance has not heard of the change yet": an unknown API key,
// config or version, or a config's first version. The client API reloads its snapshot once
// (at most once a second) and tries again before answering with them.

const suspects = new WeakSet<object>();

export function maybeNewer<E extends Error>(error: E): E {
  suspects.add(error);
  return error;
}

export function isMaybeNewer(error: unknown): boolean {
  return typeof error === "object" && error !== null && suspects.has(error);
}
