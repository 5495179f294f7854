// The vault's schema versions: a vault written by an earlier sealdrop opens and gains the new tables.
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { randomId, utf8 } from "../../src/core/bytes.js";
import { Vault, VAULT_VERSION } from "../../src/cli/vault.js";
import { tempDir } from "./helpers.js";

const VERSION_1 = [
  "CREATE TABLE submissions (id TEXT PRIMARY KEY, desk TEXT NOT NULL, day TEXT NOT NULL, envelope_size INTEGER NOT NULL, envelope BLOB NOT NULL)",
  "CREATE TABLE attachments (id TEXT PRIMARY KEY, submission_id TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE, position INTEGER NOT NULL, size INTEGER NOT NULL, data BLOB NOT NULL)",
  "CREATE INDEX attachments_by_submission ON attachments (submission_id, position)",
];

describe("the vault", () => {
  it("upgrades a version 1 vault in place, keeping its submissions and adding replies and notes", async () => {
    const file = join(await tempDir(), "vault.sqlite");
    const id = randomId();
    const old = new SQLite(file);
    for (const s of VERSION_1) old.exec(s);
    old.prepare("INSERT INTO submissions VALUES (?, 'news', '2026-01-02', 3, ?)").run(id, Buffer.from("age"));
    old.pragma("user_version = 1");
    old.close();

    const vault = await Vault.open(file);
    try {
      expect((await vault.submissions()).map((s) => s.id)).toEqual([id]);
      const note = { id: randomId(), day: "2026-01-03", size: 4, data: utf8("note") };
      await vault.putItem("notes", note);
      await vault.putItem("notes", { ...note, data: utf8("else") });
      expect(await vault.hasItem("notes", note.id)).toBe(true);
      expect(await vault.hasItem("replies", note.id)).toBe(false);
      expect(await vault.items("notes")).toEqual([note]);
    } finally {
      await vault.close();
    }
    const reopened = new SQLite(file);
    expect(reopened.pragma("user_version", { simple: true })).toBe(VAULT_VERSION);
    reopened.close();
  });

  it("opened as it is (to read before the key is unlocked), is neither created nor upgraded", async () => {
    const dir = await tempDir();
    const missing = join(dir, "missing", "vault.sqlite");
    await expect(Vault.open(missing, { asIs: true })).rejects.toThrow(/cannot open the vault/);
    await expect(stat(join(dir, "missing"))).rejects.toMatchObject({ code: "ENOENT" });

    const file = join(dir, "vault.sqlite");
    const old = new SQLite(file);
    for (const s of VERSION_1) old.exec(s);
    old.pragma("user_version = 1");
    old.close();
    const before = await readFile(file);
    await expect(Vault.open(file, { asIs: true })).rejects.toThrow(`is at version 1, not ${VAULT_VERSION}`);
    expect(await readFile(file)).toEqual(before);

    await (await Vault.open(file)).close(); // upgraded now
    const vault = await Vault.open(file, { asIs: true });
    try {
      expect(await vault.entries()).toEqual([]);
    } finally {
      await vault.close();
    }
  });

  it("keeps replies and notes in arrival order within a day", async () => {
    const vault = await Vault.open(join(await tempDir(), "vault.sqlite"));
    try {
      const items = ["ff", "00", "aa"].map((p, i) => ({ id: `${p}${randomId().slice(2)}`, day: i === 2 ? "2026-01-01" : "2026-01-02", size: 1, data: utf8(p) }));
      for (const item of items) await vault.putItem("replies", item);
      expect((await vault.items("replies")).map((r) => r.id)).toEqual([items[2]!.id, items[0]!.id, items[1]!.id]);
    } finally {
      await vault.close();
    }
  });
});
