import type { Prisma, PrismaClient } from "./generated/client";

/** The client a service opens transactions on. */
export type Db = PrismaClient;
/** The client inside a transaction; repositories take this (or a Db) as their first argument. */
export type Tx = Prisma.TransactionClient;
export type DbOrTx = Db | Tx;
export type { Prisma };
