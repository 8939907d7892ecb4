// npm run cli -- <command>: operator commands for automation. Each calls the same service the
// admin API and the console call; changes are audited with actor "cli".
import { parseArgs } from "node:util";
import type { Actor } from "../auth/actor";
import { createApiKey, listApiKeys, revokeApiKey } from "../auth/api-key-service";
import { keyConfigsText, keyCreatorText } from "../auth/schemas";
import { createUser } from "../auth/user-service";
import { appDatabaseTarget, openDatabase, type Database } from "../db/client";
import { applyMigrations } from "../db/migrate";
import { toAppError } from "../http/respond";

const USAGE = `Usage: npm run cli -- <command>

  user create --email E --role viewer|editor|operator|admin [--password P] [--name N]
      Creates a user; without --password a one-time password is generated and printed once
      (the user chooses their own at first sign-in).
  api-key create --name N --scopes route,metrics,gateway,admin [--configs a,b]
      Creates an API key and prints it once, alone on the last line. --configs limits a client key
      (route, metrics, gateway) to those configs; without it the key may use every config.
  api-key list
      id, name, scopes, configs ("all configs" when not limited), who made it, state, last use.
  api-key revoke <id>

The database is DATABASE_URL, or the embedded one under LLM_CANARY_DATA_DIR (.data by default);
while the server runs, the CLI uses the server's embedded database alongside it.`;

const CLI_ACTOR: Actor = { type: "system", id: null, label: "cli", scopes: [] };

type Command = (db: Database, args: string[]) => Promise<void>;

const commands: Record<string, Command> = {
  "user create": async (db, args) => {
    const { values } = parseArgs({
      args,
      options: { email: { type: "string" }, role: { type: "string" }, password: { type: "string" }, name: { type: "string" } },
      strict: true,
    });
    const { user, generatedPassword } = await createUser(db.prisma, CLI_ACTOR, values);
    console.log(`Created user ${user.email} (${user.role}), id ${user.id}`);
    if (generatedPassword) console.log(`Password (shown only now): ${generatedPassword}`);
  },
  "api-key create": async (db, args) => {
    const { values } = parseArgs({
      args,
      options: { name: { type: "string" }, scopes: { type: "string" }, configs: { type: "string" } },
      strict: true,
    });
    const list = (text: string | undefined) => (text === undefined ? undefined : text.split(",").map((s) => s.trim()).filter(Boolean));
    const { key, apiKey } = await createApiKey(db.prisma, CLI_ACTOR, { name: values.name, scopes: list(values.scopes), configs: list(values.configs) });
    console.log(`Created API key "${apiKey.name}" (${apiKey.id}) with scopes ${apiKey.scopes.join(", ")} for ${keyConfigsText(apiKey.configs)}.`);
    console.log("Store it now: it is shown only once.");
    console.log(key);
  },
  "api-key list": async (db, args) => {
    parseArgs({ args, options: {}, strict: true });
    const keys = await listApiKeys(db.prisma);
    if (keys.length === 0) {
      console.log("No API keys.");
      return;
    }
    for (const k of keys) {
      const state = k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : "active";
      const used = k.lastUsedAt ? `last used ${k.lastUsedAt.toISOString()}` : "never used";
      const by = `created ${k.createdAt.toISOString()} by ${keyCreatorText(k.createdBy)}`;
      console.log(`${k.id}\t${k.name}\t${k.scopes.join(",")}\t${keyConfigsText(k.configs)}\t${by}\t${state}\t${used}`);
    }
  },
  "api-key revoke": async (db, args) => {
    const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
    if (positionals.length !== 1) throw new UsageError("api-key revoke takes exactly one id, e.g. key_abc123");
    const key = await revokeApiKey(db.prisma, CLI_ACTOR, positionals[0]);
    console.log(`Revoked API key "${key.name}" (${key.id}).`);
  },
};

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const name = argv.slice(0, 2).join(" ");
  const command = commands[name];
  if (!command) {
    console.error(argv.length === 0 || argv[0] === "help" || argv[0] === "--help" ? USAGE : `Unknown command "${argv.join(" ")}".\n\n${USAGE}`);
    return argv.length === 0 || argv[0] === "help" || argv[0] === "--help" ? 0 : 2;
  }
  const db = await openDatabase(appDatabaseTarget());
  try {
    await applyMigrations(db);
    await command(db, argv.slice(2));
    return 0;
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known = toAppError(error);
    if (known) {
      console.error(`Error: ${known.message}`);
      for (const d of known.details ?? []) console.error(`  ${d.path}: ${d.message}`);
    } else if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`Error: ${(error as Error).message}\n\n${USAGE}`);
    } else {
      console.error(`Error: ${error instanceof Error ? error.message : String(error)}`);
    }
    process.exit(1);
  },
);
