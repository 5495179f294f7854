// The migration files: migrations/*.sql for every engine (D1 applies the same folder with wrangler), and
// migrations/postgres/*.sql for PostgreSQL alone (tables that only its deployment needs, e.g. its blob
// store). One name order across both folders: numbers are shared, so a PostgreSQL-only file takes a number
// no other file has.
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Migration } from "../db/migrate.js";

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../../migrations/", import.meta.url));
export const POSTGRES_MIGRATIONS_DIR = fileURLToPath(new URL("../../../migrations/postgres/", import.meta.url));

export type MigrationEngine = "sqlite" | "postgres";

async function sqlFiles(dir: string): Promise<Migration[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith(".sql"));
  return Promise.all(names.map(async (name) => ({ name, sql: await readFile(`${dir}/${name}`, "utf8") })));
}

/** Every migration `engine` applies, in name order. */
export async function loadMigrations(engine: MigrationEngine = "sqlite"): Promise<Migration[]> {
  const all = [...(await sqlFiles(MIGRATIONS_DIR)), ...(engine === "postgres" ? await sqlFiles(POSTGRES_MIGRATIONS_DIR) : [])];
  const names = new Set<string>();
  for (const m of all) {
    if (names.has(m.name)) throw new Error(`two migrations are named ${m.name}`);
    names.add(m.name);
  }
  return all.sort((a, b) => a.name.localeCompare(b.name));
}
