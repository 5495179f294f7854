// Secrets the server makes for itself and keeps in the database (server_secrets), so every process and
// Workers isolate of one deployment shares them: created once, at random, by whichever asks first.
import type { Kysely } from "kysely";
import { randomBytes, toHex } from "../../core/bytes.js";
import type { Database } from "./schema.js";

/** The secret called `name` (64 hex characters), created if there is none yet. */
export async function serverSecret(db: Kysely<Database>, name: string): Promise<string> {
  await db
    .insertInto("server_secrets")
    .values({ name, value: toHex(randomBytes(32)) })
    .onConflict((oc) => oc.column("name").doNothing())
    .execute();
  const row = await db.selectFrom("server_secrets").select("value").where("name", "=", name).executeTakeFirstOrThrow();
  return row.value;
}
