// What the admin API's DTOs look like after JSON: dates are ISO strings. The console types its
// data with these, derived from the same zod schemas the server answers with.

export type Wire<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;
