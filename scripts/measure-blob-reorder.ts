// What erasing the write order of PostgreSQL's blob store (blob_chunks) would cost, and whether a CLUSTER
// as db/reorder.ts runs on the other tables would erase it (docs/THREAT-MODEL.md, "Arrival order";
// docs/SCALING.md). `npx tsx scripts/measure-blob-reorder.ts [MiB]` (default 4096: one 4 GiB attachment)
// starts PostgreSQL from Debian's binaries (tests/helpers/backends.ts; fsync off, so times are a lower
// bound), writes two small replies, the attachment as 1 MiB chunks, and two more replies, with ids whose
// key order is not their write order, then measures:
//   - `CLUSTER blob_chunks USING blob_chunks_pkey`: time (the blob store is locked for all of it), WAL
//     written, and whether the rows' places and their TOAST value ids still follow write order;
//   - a rewrite of every value in key order, then CLUSTER (what renumbering the TOAST ids takes).
// TOAST value ids come from one counter shared by the whole cluster, so ids in write order give the order.
// Prints one JSON object.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openPostgresDatabase } from "../src/server/postgres/database.js";
import { startPostgresCluster } from "../tests/helpers/backends.js";

const MIB = 1 << 20;
const size = Number(process.argv[2] ?? 4096);

const cluster = await startPostgresCluster();
try {
  const name = await cluster.createDatabase();
  await (await openPostgresDatabase(cluster.urlFor(name))).destroy(); // migrated
  const client = new pg.Client({ connectionString: cluster.urlFor(name) });
  await client.connect();
  const q = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) => (await client.query<T>(text, values)).rows;
  const walNow = async () => (await q<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn"))[0]!.lsn;
  const walSince = async (from: string) => Number((await q<{ n: string }>("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::bigint AS n", [from]))[0]!.n);
  const timed = async (work: () => Promise<unknown>) => {
    const from = await walNow();
    const t = Date.now();
    await work();
    return { seconds: (Date.now() - t) / 1000, walMiB: Math.round((await walSince(from)) / MIB) };
  };

  /** Keys in write order; each value starts with a 16-byte tag naming its row (to find its TOAST value). */
  const written: string[] = [];
  const tags = new Map<string, string>();
  const put = async (kind: string, id: string, start: number, data: Buffer) => {
    const key = `${kind}/${id}/${String(start).padStart(13, "0")}`;
    randomBytes(16).copy(data, 0);
    tags.set(data.subarray(0, 16).toString("hex"), key);
    written.push(key);
    await q("INSERT INTO blob_chunks (kind, id, start, data) VALUES ($1, $2, $3, $4)", [kind, id, start, data]);
  };
  const reply = (first: string) => put("replies", first + randomBytes(16).toString("hex").slice(1), 0, randomBytes(6000));
  await reply("f");
  await reply("d");
  const attachment = randomBytes(16).toString("hex");
  const chunk = randomBytes(MIB);
  const write = await timed(async () => {
    for (let i = 0; i < size; i++) await put("attachments", attachment, i * MIB, chunk);
  });
  await reply("b");
  await reply("9");

  const toast = (await q<{ t: string }>("SELECT reltoastrelid::regclass::text AS t FROM pg_class WHERE relname = 'blob_chunks'"))[0]!.t;
  /** Whether rows (by ctid) and TOAST value ids (by id) are in key order, and whether ids are in write order. */
  const orders = async () => {
    const byCtid = (await q<{ key: string }>("SELECT kind || '/' || id || '/' || lpad(start::text, 13, '0') AS key FROM blob_chunks ORDER BY ctid")).map((r) => r.key);
    const ids = new Map<string, number>();
    for (const r of await q<{ tag: string; id: string }>(`SELECT encode(substring(chunk_data FROM 1 FOR 16), 'hex') AS tag, chunk_id::text AS id FROM ${toast} WHERE chunk_seq = 0`)) {
      ids.set(tags.get(r.tag)!, Number(r.id));
    }
    const ascending = (keys: string[]) => keys.every((k, i) => i === 0 || ids.get(k)! > ids.get(keys[i - 1]!)!);
    const sorted = [...written].sort();
    return {
      rowsInKeyOrder: byCtid.every((k, i) => k === sorted[i]),
      rowsInWriteOrder: byCtid.every((k, i) => k === written[i]),
      toastIdsInWriteOrder: ascending(written),
      toastIdsInKeyOrder: ascending(sorted),
    };
  };

  const tableMiB = async () => Math.round(Number((await q<{ n: string }>("SELECT pg_total_relation_size('blob_chunks')::bigint AS n"))[0]!.n) / MIB);
  const result: Record<string, unknown> = { attachmentMiB: size, write, tableMiB: await tableMiB(), before: await orders() };
  result.cluster = await timed(() => q("CLUSTER blob_chunks USING blob_chunks_pkey"));
  result.afterCluster = await orders();
  result.rewriteInKeyOrderThenCluster = await timed(async () => {
    await q("BEGIN");
    for (const key of [...written].sort()) {
      const [kind, id, start] = key.split("/") as [string, string, string];
      // A changed value is stored anew: a new TOAST value with the next id.
      await q("UPDATE blob_chunks SET data = data || ''::bytea WHERE kind = $1 AND id = $2 AND start = $3", [kind, id, Number(start)]);
    }
    await q("COMMIT");
    await q("CLUSTER blob_chunks USING blob_chunks_pkey");
  });
  result.afterRewrite = await orders();
  result.tableMiBAfter = await tableMiB();
  console.log(JSON.stringify(result, null, 2));
  await client.end();
} finally {
  await cluster.stop();
}
