// The editor's vault (`home/vault.sqlite`): ciphertext pulled from the server, with the server's metadata.
// Only age files are stored; plaintext exists only in memory while a command decrypts, and in files that
// `read` writes on purpose. Its schema (vault-schema.ts) belongs to the CLI and is versioned with PRAGMA user_version.
import { chmod, mkdir, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { CliError } from "./errors.js";
import { type ArrivalKind, UPGRADES, VAULT_VERSION, type VaultDatabase } from "./vault-schema.js";

export { type ArrivalKind, VAULT_VERSION };

/** SQLite's default limit on one BLOB. Larger attachments need file storage (a later vault version). */
export const MAX_VAULT_BLOB_BYTES = 1_000_000_000;
/** Attachments larger than this are kept as age files beside the vault (`vault-files/`), not as BLOBs. */
export const VAULT_FILE_THRESHOLD = 32 << 20;

const ARRIVAL_KIND: Record<VaultItemKind, ArrivalKind> = { replies: "reply", notes: "note" };

/** One item as the vault lists it without its ciphertext: enough to tell whether an index entry is still this item. */
export interface VaultEntry {
  kind: ArrivalKind;
  id: string;
  /** Local arrival sequence: increases with every item this vault gains, never reused, never sent anywhere. */
  seq: number;
  day: string;
  /** The server's desk, for submissions; "" for replies and notes. */
  desk: string;
  size: number;
}

/** The vault's tables of editors' items: replies sent to sources, and desk notes. */
export type VaultItemKind = "replies" | "notes";
export interface VaultItem {
  id: string;
  day: string;
  size: number;
  data: Uint8Array;
}

export interface VaultSubmission {
  id: string;
  desk: string;
  day: string;
  envelopeSize: number;
  envelope: Uint8Array;
}
/** An attachment kept as a file: `path` is absolute, under the vault's `vault-files/` directory. */
export interface VaultAttachmentFile {
  id: string;
  submissionId: string;
  position: number;
  size: number;
  path: string;
}
export interface VaultAttachment {
  id: string;
  submissionId: string;
  position: number;
  size: number;
  data: Uint8Array;
}

// better-sqlite3 returns Buffers; hand out plain Uint8Arrays so callers never depend on Node's Buffer.
const bytes = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

export class Vault {
  private constructor(
    private readonly db: Kysely<VaultDatabase>,
    /** Where large attachments' age files live: `vault-files/` beside the vault file. */
    readonly filesDir: string,
  ) {}

  /** The vault's local index beside it (home.ts indexFile): removed with every local deletion. */
  static indexFileOf(file: string): string {
    return join(dirname(file), "vault.index");
  }

  /** A deleted item's plaintext must not outlive it in the index: the next command that reads rebuilds the index. */
  private async dropIndex(): Promise<void> {
    await rm(Vault.indexFileOf(this.filesDir), { force: true }); // filesDir sits beside the vault file too
  }

  /** Where the vault in `file` keeps large attachments' age files, whether or not the vault exists yet. */
  static filesDirOf(file: string): string {
    return join(dirname(file), "vault-files");
  }

  /**
   * Opens the vault in `file`, creating or upgrading it as needed. `asIs`: only a vault that already
   * exists at this version, changed in nothing (for reading before the key is unlocked: index/prefetch.ts).
   */
  static async open(file: string, options: { asIs?: boolean } = {}): Promise<Vault> {
    if (!options.asIs) await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    let sqlite: SQLite.Database;
    try {
      sqlite = new SQLite(file, { fileMustExist: options.asIs === true });
      if (!options.asIs) sqlite.pragma("journal_mode = WAL"); // kept in the file: set once, when written
      sqlite.pragma("synchronous = FULL");
      sqlite.pragma("foreign_keys = ON");
      sqlite.pragma("secure_delete = ON");
      sqlite.pragma("busy_timeout = 5000");
    } catch (e) {
      throw new CliError(`cannot open the vault ${file}: ${(e as Error).message}`);
    }
    const version = sqlite.pragma("user_version", { simple: true }) as number;
    if (options.asIs && version !== VAULT_VERSION) {
      sqlite.close();
      throw new CliError(`the vault ${file} is at version ${version}, not ${VAULT_VERSION}`);
    }
    await chmod(file, 0o600);
    if (version > VAULT_VERSION) {
      sqlite.close();
      throw new CliError(`the vault ${file} was written by a newer sealdrop (version ${version}); upgrade sealdrop`);
    }
    if (version < VAULT_VERSION) {
      sqlite.transaction(() => {
        for (let v = version + 1; v <= VAULT_VERSION; v++) for (const statement of UPGRADES[v]!) sqlite.exec(statement);
        sqlite.pragma(`user_version = ${VAULT_VERSION}`);
      })();
    }
    return new Vault(new Kysely<VaultDatabase>({ dialect: new SqliteDialect({ database: sqlite }) }), Vault.filesDirOf(file));
  }

  /** Where a large attachment's age file is kept: `<id>.age` in filesDir. */
  attachmentFilePath(id: string): string {
    return join(this.filesDir, `${id}.age`);
  }

  close(): Promise<void> {
    return this.db.destroy();
  }

  async hasSubmission(id: string): Promise<boolean> {
    return (await this.db.selectFrom("submissions").select("id").where("id", "=", id).executeTakeFirst()) !== undefined;
  }

  async hasAttachment(id: string): Promise<boolean> {
    if ((await this.db.selectFrom("attachments").select("id").where("id", "=", id).executeTakeFirst()) !== undefined) return true;
    return (await this.db.selectFrom("attachment_files").select("id").where("id", "=", id).executeTakeFirst()) !== undefined;
  }

  /** Records an attachment whose age file is already durable at `path` (inside filesDir). */
  async putAttachmentFile(a: VaultAttachmentFile): Promise<void> {
    if (dirname(a.path) !== this.filesDir) throw new Error(`attachment file ${a.path} is outside ${this.filesDir}`);
    await this.db
      .insertInto("attachment_files")
      .values({ id: a.id, submission_id: a.submissionId, position: a.position, size: a.size, file: basename(a.path) })
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
  }

  /** Attachments kept as files (large ones), by submission and position. `attachments()` lists the BLOBs. */
  async attachmentFiles(submissionId?: string): Promise<VaultAttachmentFile[]> {
    let query = this.db.selectFrom("attachment_files").selectAll();
    if (submissionId !== undefined) query = query.where("submission_id", "=", submissionId);
    const rows = await query.orderBy("submission_id").orderBy("position").execute();
    return rows.map((r) => ({ id: r.id, submissionId: r.submission_id, position: r.position, size: r.size, path: join(this.filesDir, r.file) }));
  }

  /** Stores a submission's envelope; storing one that is already there changes nothing. */
  async putSubmission(s: VaultSubmission): Promise<void> {
    // The arrival first: a crash in between leaves a number with no item (skipped), never an item with none.
    await this.arrive("submission", s.id);
    await this.db
      .insertInto("submissions")
      .values({ id: s.id, desk: s.desk, day: s.day, envelope_size: s.envelopeSize, envelope: s.envelope })
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
  }

  async putAttachment(a: VaultAttachment): Promise<void> {
    await this.db
      .insertInto("attachments")
      .values({ id: a.id, submission_id: a.submissionId, position: a.position, size: a.size, data: a.data })
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
  }

  /** Stores many records in one transaction: all of them or, on failure, none. `files` must already be durable. */
  async putAll(
    submissions: VaultSubmission[],
    attachments: VaultAttachment[],
    items: Partial<Record<VaultItemKind, VaultItem[]>> & { files?: VaultAttachmentFile[] } = {},
  ): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const vault = new Vault(tx, this.filesDir);
      for (const s of submissions) await vault.putSubmission(s);
      for (const a of attachments) await vault.putAttachment(a);
      for (const f of items.files ?? []) await vault.putAttachmentFile(f);
      for (const r of items.replies ?? []) await vault.putItem("replies", r);
      for (const n of items.notes ?? []) await vault.putItem("notes", n);
    });
  }

  /** Submissions, newest day first. */
  async submissions(): Promise<VaultSubmission[]> {
    const rows = await this.db.selectFrom("submissions").selectAll().orderBy("day", "desc").orderBy("id").execute();
    return rows.map((r) => ({ id: r.id, desk: r.desk, day: r.day, envelopeSize: r.envelope_size, envelope: bytes(r.envelope) }));
  }

  async attachments(submissionId?: string): Promise<VaultAttachment[]> {
    let query = this.db.selectFrom("attachments").selectAll();
    if (submissionId !== undefined) query = query.where("submission_id", "=", submissionId);
    const rows = await query.orderBy("submission_id").orderBy("position").execute();
    return rows.map((r) => ({ id: r.id, submissionId: r.submission_id, position: r.position, size: r.size, data: bytes(r.data) }));
  }

  async attachmentCounts(): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom("attachments")
      .select(["submission_id", (eb) => eb.fn.countAll<number>().as("n")])
      .groupBy("submission_id")
      .execute();
    const counts = new Map(rows.map((r) => [r.submission_id, Number(r.n)]));
    for (const f of await this.attachmentFiles()) counts.set(f.submissionId, (counts.get(f.submissionId) ?? 0) + 1);
    return counts;
  }

  /** Finds a submission by its id or a prefix of it that matches exactly one. */
  async resolve(idOrPrefix: string): Promise<VaultSubmission> {
    if (!/^[0-9a-f]{1,32}$/.test(idOrPrefix)) throw new CliError(`${JSON.stringify(idOrPrefix)} is not a submission id (lowercase hex)`);
    const rows = await this.db
      .selectFrom("submissions")
      .selectAll()
      .where(sql<string>`substr(id, 1, ${idOrPrefix.length})`, "=", idOrPrefix)
      .limit(2)
      .execute();
    const [row, other] = rows;
    if (!row) throw new CliError(`no submission ${idOrPrefix} in the vault; run \`sealdrop pull\` first`);
    if (other) throw new CliError(`${idOrPrefix} matches more than one submission; give more of the id`);
    return { id: row.id, desk: row.desk, day: row.day, envelopeSize: row.envelope_size, envelope: bytes(row.envelope) };
  }

  /** Removes a submission and its attachments; returns whether it was there. */
  async deleteSubmission(id: string): Promise<boolean> {
    const files = await this.attachmentFiles(id);
    const result = await this.db.deleteFrom("submissions").where("id", "=", id).executeTakeFirst();
    // Fetched again later, it arrives again: a new number, so no index mistakes it for the old one.
    await this.db.deleteFrom("arrivals").where("kind", "=", "submission").where("id", "=", id).execute();
    for (const f of files) await rm(f.path, { force: true });
    await this.dropIndex();
    return Number(result.numDeletedRows) > 0;
  }

  async hasItem(kind: VaultItemKind, id: string): Promise<boolean> {
    return (await this.db.selectFrom(kind).select("id").where("id", "=", id).executeTakeFirst()) !== undefined;
  }

  /** Stores a reply or note; storing one that is already there changes nothing. */
  async putItem(kind: VaultItemKind, item: VaultItem): Promise<void> {
    await this.arrive(ARRIVAL_KIND[kind], item.id);
    await this.db
      .insertInto(kind)
      .values({ id: item.id, day: item.day, size: item.size, data: item.data })
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
  }

  /** Removes a reply or note; returns whether it was there. */
  async deleteItem(kind: VaultItemKind, id: string): Promise<boolean> {
    const deleted = Number((await this.db.deleteFrom(kind).where("id", "=", id).executeTakeFirst()).numDeletedRows) > 0;
    await this.db.deleteFrom("arrivals").where("kind", "=", ARRIVAL_KIND[kind]).where("id", "=", id).execute();
    await this.dropIndex();
    return deleted;
  }

  /** Replies or notes by day, then in the order they reached this vault. */
  async items(kind: VaultItemKind): Promise<VaultItem[]> {
    const rows = await this.db.selectFrom(kind).select(["id", "day", "size", "data"]).orderBy("day").orderBy(sql`seq`).execute();
    return rows.map((r) => ({ id: r.id, day: r.day, size: r.size, data: bytes(r.data) }));
  }

  /** Gives `id` the next arrival number unless it has one. */
  private async arrive(kind: ArrivalKind, id: string): Promise<void> {
    await this.db.insertInto("arrivals").values({ kind, id }).onConflict((oc) => oc.columns(["kind", "id"]).doNothing()).execute();
  }

  /** Every submission, reply and note without its ciphertext, in arrival order. */
  async entries(): Promise<VaultEntry[]> {
    const arrival = (kind: ArrivalKind, table: string, desk: string, size: string) =>
      sql<VaultEntry>`SELECT ${kind} AS kind, t.id AS id, a.seq AS seq, t.day AS day, ${sql.raw(desk)} AS desk, ${sql.raw(size)} AS size
        FROM ${sql.table(table)} t JOIN arrivals a ON a.kind = ${kind} AND a.id = t.id`;
    const { rows } = await sql<VaultEntry>`${arrival("submission", "submissions", "t.desk", "t.envelope_size")}
      UNION ALL ${arrival("reply", "replies", "''", "t.size")}
      UNION ALL ${arrival("note", "notes", "''", "t.size")}
      ORDER BY seq`.execute(this.db);
    return rows;
  }

  /** The ciphertexts of some items, by id (envelopes for submissions). */
  async ciphertexts(kind: ArrivalKind, ids: readonly string[]): Promise<Map<string, Uint8Array>> {
    if (ids.length === 0) return new Map();
    const rows =
      kind === "submission"
        ? (await this.db.selectFrom("submissions").select(["id", "envelope as data"]).where("id", "in", ids).execute())
        : await this.db.selectFrom(kind === "reply" ? "replies" : "notes").select(["id", "data"]).where("id", "in", ids).execute();
    return new Map(rows.map((r) => [r.id, bytes(r.data)]));
  }
}
