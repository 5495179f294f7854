// The editor's whole path against a real server: init, a source's tips arrive, pull, list, read, delete,
// export/import to a second home. The CLI runs as a subprocess, exactly as an editor would run it.
import { copyFile, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { utf8 } from "../../src/core/bytes.js";
import { type RunningServer, startNodeServer } from "../../src/server/node/serve.js";
import { fetchNewsroom, submitTip } from "../helpers/source.js";
import { PASSPHRASE, runCli, runInProcess, tempDir } from "./helpers.js";

let server: RunningServer;
let dir: string;
let home: string;
const tips: { id: string; message: string }[] = [];
const report = utf8("Minutes of the meeting.\n");
const photo = new Uint8Array(5000).map((_, i) => (i * 7) & 0xff);

beforeAll(async () => {
  dir = await tempDir();
  home = join(dir, "alice");
  server = await startNodeServer({ dataDir: join(dir, "data"), port: 0, host: "127.0.0.1" });
  const init = await runCli(["init", "--name", "Test News", "--desk", "news=News", "--desk", "investigations", "--editor-name", "Alice", "--home", home, "--data", join(dir, "data"), "--server-url", server.url]);
  expect(init.stderr).toBe("");
  expect(init.code).toBe(0);
  const first = "Hello from a source\nwith a second line";
  tips.push({ id: (await submitTip(server.url, first, [{ name: "report.txt", type: "text/plain", bytes: report }, { name: "../.evil\u202e.jpg", type: "image/jpeg", bytes: photo }])).id, message: first });
  tips.push({ id: (await submitTip(server.url, "Second tip, no files", [], "investigations")).id, message: "Second tip, no files" });
});

afterAll(async () => {
  await server?.close();
});

describe("sealdrop editor flow", () => {
  it("init prints the same fingerprint the server publishes, and fingerprint checks it", async () => {
    const newsroom = await fetchNewsroom(server.url);
    const result = await runCli(["fingerprint", "--home", home, "--json"]);
    expect(result.code).toBe(0);
    // With a roster, the fingerprint the server publishes is its root's (the key-list one stays for older pages).
    expect(JSON.parse(result.stdout)).toMatchObject({ name: "Test News", fingerprint: newsroom.roster?.fingerprint });
  });

  it("pull stores new ciphertext once, and a second pull fetches nothing", async () => {
    const first = await runCli(["pull", "--home", home, "--json"]);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ onServer: 2, newSubmissions: 2, newAttachments: 2 });
    expect(first.stderr).toMatch(/\[1\/2\]/);
    const vault = await readFile(join(home, "vault.sqlite"));
    expect(vault.includes(Buffer.from("Hello from a source"))).toBe(false);
    expect((await stat(join(home, "vault.sqlite"))).mode & 0o777).toBe(0o600);
    const second = await runCli(["pull", "--home", home, "--json"]);
    expect(JSON.parse(second.stdout)).toMatchObject({ onServer: 2, newSubmissions: 0, newAttachments: 0, bytes: 0 });
  });

  it("list decrypts every envelope locally", async () => {
    const result = await runCli(["list", "--home", home, "--json"]);
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as { id: string; desk: string; firstLine: string; attachments: number }[];
    expect(rows.map((r) => r.id).sort()).toEqual(tips.map((t) => t.id).sort());
    expect(rows.find((r) => r.id === tips[0]!.id)).toMatchObject({ desk: "news", firstLine: "Hello from a source", attachments: 2 });
    expect(rows.find((r) => r.id === tips[1]!.id)).toMatchObject({ desk: "investigations", firstLine: "Second tip, no files", attachments: 0 });
  });

  it("read by id prefix shows the message and saves verified attachments under safe names", async () => {
    const out = join(dir, "out");
    const result = await runCli(["read", tips[0]!.id.slice(0, 8), "--home", home, "--out", out, "--json"]);
    expect(result.code).toBe(0);
    const shown = JSON.parse(result.stdout);
    expect(shown).toMatchObject({ id: tips[0]!.id, desk: "news", message: tips[0]!.message, kind: "submission" });
    expect(shown.attachments.map((a: { savedAs: string }) => a.savedAs)).toEqual([join(out, "report.txt"), join(out, "_.evil.jpg")]);
    expect(new Uint8Array(await readFile(join(out, "report.txt")))).toEqual(report);
    expect(new Uint8Array(await readFile(join(out, "_.evil.jpg")))).toEqual(photo);
    expect((await stat(join(out, "report.txt"))).mode & 0o777).toBe(0o600);
  });

  it("read saves into home/attachments/ID by default, and reading again keeps one copy", async () => {
    for (let i = 0; i < 2; i++) expect((await runCli(["read", tips[0]!.id, "--home", home])).code).toBe(0);
    const saved = join(home, "attachments", tips[0]!.id, "report.txt");
    expect(new Uint8Array(await readFile(saved))).toEqual(report);
    await expect(stat(join(home, "attachments", tips[0]!.id, "report (2).txt"))).rejects.toThrow();
  });

  it("read refuses attachments that do not match the envelope's manifest (swapped by a hostile server)", async () => {
    const tampered = join(dir, "tampered");
    expect((await runInProcess(["export", "--home", home, "--out", join(dir, "to-tamper.bundle")])).code).toBe(0);
    expect((await runInProcess(["import", join(dir, "to-tamper.bundle"), "--home", tampered])).code).toBe(0);
    await copyFile(join(home, "editor.key"), join(tampered, "editor.key"));
    // Both blobs are valid age files to this editor, just not the ones the source described.
    const db = new SQLite(join(tampered, "vault.sqlite"));
    const rows = db.prepare("SELECT id, data FROM attachments WHERE submission_id = ? ORDER BY position").all(tips[0]!.id) as { id: string; data: Buffer }[];
    const swap = db.prepare("UPDATE attachments SET data = ? WHERE id = ?");
    swap.run(rows[1]!.data, rows[0]!.id);
    swap.run(rows[0]!.data, rows[1]!.id);
    db.close();

    const out = join(dir, "tampered-out");
    const result = await runCli(["read", tips[0]!.id, "--home", tampered, "--out", out]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(tips[0]!.message);
    expect(result.stderr).toMatch(/2 attachment\(s\) not saved: #1 size 5000 differs from the manifest's 24; #2 size 24 differs/);
    await expect(stat(out)).rejects.toThrow();
  });

  it("a wrong passphrase fails with a message and no stack trace", async () => {
    const result = await runCli(["list", "--home", home], { env: { SEALDROP_PASSPHRASE: "not the passphrase" } });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe("sealdrop: wrong passphrase or damaged key file");
  });

  it("export and import carry the vault to a second home", async () => {
    const bundle = join(dir, "vault.bundle");
    expect((await runCli(["export", "--home", home, "--out", bundle])).code).toBe(0);
    const offline = join(dir, "offline");
    const imported = await runCli(["import", bundle, "--home", offline, "--json"]);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ newSubmissions: 2, newAttachments: 2 });
    await copyFile(join(home, "editor.key"), join(offline, "editor.key"));
    const there = JSON.parse((await runCli(["list", "--home", offline, "--json"])).stdout);
    const here = JSON.parse((await runInProcess(["list", "--home", home, "--json"])).stdout);
    expect(there).toEqual(here);
    expect(JSON.parse((await runInProcess(["import", bundle, "--home", offline, "--json"])).stdout)).toMatchObject({ newSubmissions: 0, newAttachments: 0 });
  });

  it("import refuses a damaged bundle and adds nothing", async () => {
    const bundle = join(dir, "vault.bundle");
    const bytes = await readFile(bundle);
    const cut = join(dir, "cut.bundle");
    await writeFile(cut, bytes.subarray(0, bytes.length - 100));
    const result = await runCli(["import", cut, "--home", join(dir, "empty"), "--json"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/damaged or incomplete bundle/);
    const flipped = join(dir, "flipped.bundle");
    const changed = Buffer.from(bytes);
    changed[200] = changed[200] === 0x41 ? 0x42 : 0x41;
    await writeFile(flipped, changed);
    const second = await runInProcess(["import", flipped, "--home", join(dir, "empty"), "--json"]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/damaged or incomplete bundle/);
    expect(JSON.parse((await runInProcess(["import", bundle, "--home", join(dir, "empty"), "--json"])).stdout)).toMatchObject({ newSubmissions: 2 });
  });

  it("delete removes a submission from the server but keeps the vault copy unless --local", async () => {
    const [first, second] = tips;
    const kept = await runCli(["delete", first!.id.slice(0, 10), "--home", home]);
    expect(kept.code).toBe(0);
    expect(kept.stdout).toMatch(/Deleted .* from the server/);
    expect(JSON.parse((await runInProcess(["pull", "--home", home, "--json"])).stdout)).toMatchObject({ onServer: 1 });
    expect((JSON.parse((await runInProcess(["list", "--home", home, "--json"])).stdout) as unknown[]).length).toBe(2);

    expect((await runCli(["delete", second!.id, "--local", "--home", home])).code).toBe(0);
    expect(JSON.parse((await runInProcess(["pull", "--home", home, "--json"])).stdout)).toMatchObject({ onServer: 0 });
    const left = JSON.parse((await runInProcess(["list", "--home", home, "--json"])).stdout) as { id: string }[];
    expect(left.map((r) => r.id)).toEqual([first!.id]);

    const again = await runCli(["delete", second!.id, "--home", home]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/not_found/);
  });

  it("editor add registers a colleague who can read tips sent afterwards, and refuses mixing key kinds", async () => {
    const bob = join(dir, "bob");
    const env = { SEALDROP_NEW_PASSPHRASE: "bobs own long passphrase" };
    const classic = await runCli(["editor", "add", "--home", home, "--name", "Bob", "--desk", "news", "--out-home", bob, "--classic"], { env });
    expect(classic.code).toBe(1);
    expect(classic.stderr).toMatch(/cannot mix/);
    const added = await runCli(["editor", "add", "--home", home, "--name", "Bob", "--desk", "news", "--out-home", bob], { env });
    expect(added.code).toBe(0);
    expect((await fetchNewsroom(server.url)).desks.find((d) => d.id === "news")!.recipients).toHaveLength(2);

    const tip = await submitTip(server.url, "For both of you");
    const bobEnv = { SEALDROP_PASSPHRASE: env.SEALDROP_NEW_PASSPHRASE };
    expect((await runInProcess(["pull", "--home", bob], { env: bobEnv })).code).toBe(0);
    const rows = JSON.parse((await runInProcess(["list", "--home", bob, "--json"], { env: bobEnv })).stdout) as { id: string; firstLine: string }[];
    expect(rows).toEqual([expect.objectContaining({ id: tip.id, firstLine: "For both of you" })]);
    expect(PASSPHRASE).not.toBe(bobEnv.SEALDROP_PASSPHRASE);
  });
});
