import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { openDatabase, type Database } from "../../lib/db/client";
import { PrismaClient } from "../../lib/db/generated/client";

// A database whose Prisma client records every statement it sends and the rows each returned, on
// the driver's own connections (pg.Client.query), BEGIN and COMMIT included: what a test counts
// when it asks how much work an operation made the database do.

export interface Statement {
  text: string;
  rows: unknown[][];
}

export interface CountingDatabase {
  db: Database;
  statements: Statement[];
  close(): Promise<void>;
}

type Query = pg.Client["query"];

export async function openCountingDatabase(url: string): Promise<CountingDatabase> {
  const statements: Statement[] = [];
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => Promise<pg.QueryResult>;
    const record = (config: string | { text: string }, result: pg.QueryResult | undefined) =>
      statements.push({ text: typeof config === "string" ? config : config.text, rows: (result?.rows ?? []).map((row) => (Array.isArray(row) ? row : Object.values(row))) });
    client.query = ((...args: unknown[]) => {
      const config = args[0] as string | { text: string };
      // pool.query (a statement outside a transaction) passes a callback; a transaction awaits the promise.
      const callback = args[args.length - 1];
      if (typeof callback === "function") {
        return query(...args.slice(0, -1), (error: Error | null, result: pg.QueryResult) => {
          if (!error) record(config, result);
          callback(error, result);
        });
      }
      return query(...args).then((result) => (record(config, result), result));
    }) as unknown as Query;
  });
  const base = await openDatabase({ url });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    db: { ...base, prisma },
    statements,
    close: async () => {
      await prisma.$disconnect();
      await pool.end();
      await base.close();
    },
  };
}
