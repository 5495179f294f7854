// Export and import stream large attachments: a process's peak memory does not grow with their size.
// Measured in the real `sealdrop` subprocess (its maximum resident set size, reported as it exits).
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { beforeAll, describe, expect, it } from "vitest";
import { randomId, utf8 } from "../../src/core/bytes.js";
import { sealBytes } from "../../src/core/envelope.js";
import { Vault } from "../../src/cli/vault.js";
import { runCli, tempDir } from "./helpers.js";

const MiB = 1 << 20;
let root: string;
let hook: string;

/** A vault with one large attachment of `size` bytes: an age header and random bytes (export and import never decrypt). */
async function vaultWithLargeFile(size: number): Promise<{ home: string; path: string }> {
  const home = join(await tempDir(), "home");
  const vault = await Vault.open(join(home, "vault.sqlite"));
  const submission = randomId();
  const recipient = await identityToRecipient(await generateX25519Identity());
  await vault.putSubmission({ id: submission, desk: "news", day: "2025-06-02", envelopeSize: 1, envelope: await sealBytes(utf8("x"), [recipient]) });
  await mkdir(vault.filesDir, { recursive: true });
  const id = randomId();
  const path = join(vault.filesDir, `${id}.age`);
  const file = await open(path, "wx");
  await file.write(utf8("age-encryption.org/v1\n"));
  for (let left = size - 22; left > 0; left -= MiB) await file.write(randomBytes(Math.min(MiB, left)));
  await file.close();
  await vault.putAttachmentFile({ id, submissionId: submission, position: 0, size, path });
  await vault.close();
  return { home, path };
}

/** Runs the CLI and returns its peak resident memory in bytes. */
async function peakMemory(args: string[]): Promise<number> {
  const result = await runCli(args, { env: { NODE_OPTIONS: `--import=${pathToFileURL(hook).href}` } });
  expect(result.stderr.replace(/^maxrss=\d+\n/m, "")).not.toMatch(/error|warning/i);
  expect(result.code).toBe(0);
  return Number(/^maxrss=(\d+)$/m.exec(result.stderr)![1]) * 1024;
}

beforeAll(async () => {
  root = await tempDir("sealdrop-bundle-memory-");
  hook = join(root, "maxrss.mjs");
  await writeFile(hook, 'process.on("exit", () => process.stderr.write(`maxrss=${process.resourceUsage().maxRSS}\\n`));\n');
});

describe("bundle memory", () => {
  it("export and import of a 160 MiB attachment use about as much memory as of a 1 MiB one", async () => {
    const peaks: Record<string, number> = {};
    for (const size of [MiB, 160 * MiB]) {
      const { home, path } = await vaultWithLargeFile(size);
      const bundle = join(root, `${size}.bundle`);
      peaks[`export ${size}`] = await peakMemory(["export", "--home", home, "--out", bundle]);
      expect((await stat(bundle)).size).toBeGreaterThan(size);
      const offline = join(await tempDir(), "offline");
      peaks[`import ${size}`] = await peakMemory(["import", bundle, "--home", offline]);
      const imported = join(offline, "vault-files", path.split("/").at(-1)!);
      expect((await stat(imported)).size).toBe(size);
      expect(Buffer.compare(await readFile(imported), await readFile(path))).toBe(0);
    }
    // Reading a whole attachment into memory would add its 160 MiB; streaming adds some garbage not yet collected.
    for (const step of ["export", "import"]) expect(peaks[`${step} ${160 * MiB}`]! - peaks[`${step} ${MiB}`]!).toBeLessThan(80 * MiB);
  });
});
