import type { DbOrTx } from "../db/types";
import { NotFoundError } from "../errors";
import { findConfigRowByKey } from "./repo";

/** The config with this key, or a 404 naming the key. */
export async function requireConfig(db: DbOrTx, key: string) {
  const config = await findConfigRowByKey(db, key);
  if (!config) throw new NotFoundError(`No config with key \`${key}\`.`);
  return config;
}
