import type { Role, Scope } from "./scopes";

/** Who is doing something: written into every audit event. */
export type Actor =
  | { type: "user"; id: string; label: string; role: Role; scopes: readonly Scope[] }
  | { type: "api_key"; id: string; label: string; scopes: readonly Scope[] }
  | { type: "controller"; id: null; label: "controller"; scopes: readonly Scope[] }
  | { type: "system"; id: null; label: string; scopes: readonly Scope[] };
