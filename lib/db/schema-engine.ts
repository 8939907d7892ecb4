import { readFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import * as wasmBindings from "@prisma/schema-engine-wasm/schema_engine_bg";
import type { MigrationList, SchemaEngine } from "@prisma/schema-engine-wasm";
import { MIGRATIONS_DIR } from "./paths";

// Prisma's native schema engine is downloaded from a host these machines cannot reach, so
// migrations run through the WASM build of the same engine. It writes the same
// `_prisma_migrations` rows and checksums as `prisma migrate deploy`.


let initialized = false;

function initWasm(): void {
  if (initialized) return;
  // The package entry imports the .wasm file as a module, which Node cannot do: load it by
  // hand. Resolved from the working directory (bundlers rewrite import.meta.url resolution).
  const require = createRequire(path.join(process.cwd(), "package.json"));
  const pkgDir = path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg"));
  const wasmModule = new WebAssembly.Module(readFileSync(path.join(pkgDir, "schema_engine_bg.wasm")));
  const instance = new WebAssembly.Instance(wasmModule, {
    "./schema_engine_bg.js": wasmBindings as unknown as WebAssembly.ModuleImports,
  });
  wasmBindings.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  initialized = true;
}

export interface OpenSchemaEngine {
  engine: SchemaEngine;
  /** Frees the engine and closes the connections it opened (they would keep a pool alive). */
  close(): Promise<void>;
}

export async function createSchemaEngine(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  log: (line: string) => void = () => {},
): Promise<OpenSchemaEngine> {
  initWasm();
  const opened: Adapter[] = [];
  const engine = (await wasmBindings.SchemaEngine.new(
    { datamodels: undefined },
    (message: string) => log(message),
    bindMigrationAwareSqlAdapterFactory(withWholeScripts(adapterFactory, opened)),
  )) as unknown as SchemaEngine;
  return {
    engine,
    close: async () => {
      engine.free();
      await Promise.all(opened.map((adapter) => adapter.dispose()));
    },
  };
}

type Adapter = Awaited<ReturnType<SqlMigrationAwareDriverAdapterFactory["connect"]>>;
type ScriptClient = { exec?: (sql: string) => Promise<unknown>; query: (sql: string) => Promise<unknown> };

// Both adapters mishandle migration scripts: @prisma/adapter-pg splits them on every ";" (which
// breaks PL/pgSQL function bodies) and pglite-prisma-adapter does not await the script (errors
// escape as unhandled rejections). Send each script whole instead — as the native engine does,
// in one simple-protocol round trip, which Postgres runs as one implicit transaction. The
// adapters keep their driver on `client` (pg.Pool or PGlite) in the pinned versions.
function withWholeScripts(factory: SqlMigrationAwareDriverAdapterFactory, opened: Adapter[]): SqlMigrationAwareDriverAdapterFactory {
  const wrap = (adapter: Adapter): Adapter => {
    opened.push(adapter);
    const client = (adapter as unknown as { client?: ScriptClient }).client;
    if (!client || typeof client.query !== "function") {
      throw new Error(`Unsupported driver adapter for migrations: ${adapter.adapterName}`);
    }
    const executeScript = async (script: string): Promise<void> => {
      if (typeof client.exec === "function") await client.exec(script);
      else await client.query(script);
    };
    return new Proxy(adapter, {
      get(target, key) {
        if (key === "executeScript") return executeScript;
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => wrap(await factory.connect()),
    connectToShadowDb: async () => wrap(await factory.connectToShadowDb()),
  };
}

/** The migrations folder in the shape the engine expects (same as Prisma's CLI builds it). */
export async function readMigrationList(dir: string = MIGRATIONS_DIR): Promise<MigrationList> {
  const lockfilePath = "migration_lock.toml";
  const lockContent = await readFile(path.join(dir, lockfilePath), "utf8").catch(() => null);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const directories = await Promise.all(
    entries
      .filter((e) => e.isDirectory())
      .map(async (e) => {
        const content = await readFile(path.join(dir, e.name, "migration.sql"), "utf8")
          .then((value) => ({ tag: "ok" as const, value }))
          .catch((error: Error) => ({ tag: "error" as const, value: error.message }));
        return { path: e.name, migrationFile: { path: "migration.sql", content } };
      }),
  );
  directories.sort((a, b) => a.path.localeCompare(b.path));
  return {
    baseDir: dir,
    lockfile: { path: lockfilePath, content: lockContent },
    shadowDbInitScript: "",
    migrationDirectories: directories,
  };
}

export const NO_FILTER = { externalTables: [], externalEnums: [] };
