// Invariant 3 on disk: the single-box deployment's files show the UTC day they were written, never the
// moment, and a re-stamp overwrites every change time (src/server/node/timestamps.ts).
import { mkdir, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dayStart, restampTree } from "../../src/server/node/timestamps.js";
import { editorFetch, startTestServer, type TestServer } from "../helpers/server.js";
import { submitTip } from "../helpers/source.js";
import { tempDir } from "../cli/helpers.js";

/** Every file and directory under `root`, the root included. */
async function entriesUnder(root: string): Promise<string[]> {
  const out = [root];
  for (const e of await readdir(root, { withFileTypes: true, recursive: true })) out.push(join(e.parentPath, e.name));
  return out;
}

let server: TestServer;
beforeAll(async () => {
  // The Node deployment itself (files on disk), whichever backend the server suites are running against.
  server = await startTestServer({ backend: "sqlite" });
});
afterAll(() => server.dispose());

describe("file times on the Node deployment", () => {
  it("an attachment written for a submission shows only the day, before and after an editor reads them", async () => {
    const days = [dayStart(new Date()).getTime()];
    const receipt = await submitTip(server.url, "file times tip", [{ name: "a.bin", type: "application/octet-stream", bytes: crypto.getRandomValues(new Uint8Array(5000)) }]);
    const blobs = join(server.dataDir, "blobs");
    // The envelope is in the database; the attachment is a file.
    const files = (await readdir(join(blobs, "attachments"))).map((n) => join(blobs, "attachments", n));
    expect(files).toHaveLength(1);

    const list = await editorFetch(server, server.editor, "GET", "/api/editor/submissions");
    const { submissions } = (await list.json()) as { submissions: { id: string; attachments: { id: string }[] }[] };
    const mine = submissions.find((s) => s.id === receipt.id)!;
    const att = await editorFetch(server, server.editor, "GET", `/api/editor/attachments/${mine.attachments[0]!.id}`);
    expect((await att.arrayBuffer()).byteLength).toBeGreaterThan(5000);
    days.push(dayStart(new Date()).getTime());

    for (const file of files) {
      const s = await stat(file);
      expect(days, `${file} mtime`).toContain(s.mtimeMs);
      expect(days, `${file} atime after reads`).toContain(s.atimeMs);
    }
  });

  it("a re-stamp sets every time under the folder to the day and moves every change time past the writes", async () => {
    const root = await tempDir();
    await mkdir(join(root, "blobs", "envelopes"), { recursive: true });
    await writeFile(join(root, "blobs", "envelopes", "first"), "a");
    await new Promise((r) => setTimeout(r, 30));
    await writeFile(join(root, "blobs", "envelopes", "second"), "b");
    await writeFile(join(root, "sealdrop.sqlite"), "c");
    const exact = (await stat(join(root, "blobs", "envelopes", "first"))).ctimeMs;

    await new Promise((r) => setTimeout(r, 150));
    // The kernel stamps change times from a coarse clock, up to a tick (10 ms at most) behind Date.now().
    const before = Date.now() - 20;
    const day = new Date(Date.UTC(2026, 0, 15));
    const entries = await entriesUnder(root);
    expect(await restampTree(root, day)).toBe(entries.length);
    for (const entry of entries) {
      const s = await stat(entry);
      expect(s.mtimeMs, entry).toBe(day.getTime());
      expect(s.atimeMs, entry).toBe(day.getTime());
      // Change times now tell only when the re-stamp ran, not the order or moment of the writes.
      expect(s.ctimeMs, entry).toBeGreaterThanOrEqual(before);
    }
    expect((await stat(join(root, "blobs", "envelopes", "first"))).ctimeMs).toBeGreaterThan(exact + 100);
  });

  it("dayStart is midnight UTC of the given instant", () => {
    expect(dayStart(new Date("2026-11-28T23:59:59.999Z")).toISOString()).toBe("2026-11-28T00:00:00.000Z");
    expect(dayStart(new Date("2026-11-29T00:00:00.000Z")).toISOString()).toBe("2026-11-29T00:00:00.000Z");
  });
});
