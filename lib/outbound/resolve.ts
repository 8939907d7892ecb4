import { lookup } from "node:dns/promises";

// Name resolution for outbound requests, in one place so that a request resolves a name once and
// connects to the addresses it judged (lib/outbound/connect.ts pins them). Tests answer names
// themselves through replaceResolver: nothing else may point a public-looking name at 127.0.0.1.

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type Resolver = (name: string) => Promise<ResolvedAddress[]>;

const systemResolver: Resolver = async (name) => {
  const answers = await lookup(name, { all: true, verbatim: true });
  return answers.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
};

let current: Resolver = systemResolver;

/** Every address `name` resolves to (at least one), or a rejection; gives up when `signal` aborts. */
export async function resolveName(name: string, signal: AbortSignal): Promise<ResolvedAddress[]> {
  signal.throwIfAborted();
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    const addresses = await Promise.race([current(name), aborted]);
    if (addresses.length === 0) throw new Error(`${name} resolves to no address`);
    return addresses;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/** Tests only: answer names with `resolver` until the returned function puts the system's back. */
export function replaceResolver(resolver: Resolver): () => void {
  const previous = current;
  current = resolver;
  return () => {
    current = previous;
  };
}
