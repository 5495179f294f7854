// Benchmark section: editor decryption of a large attachment to disk, against `age -d` on the same file.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, createReadStream, openSync, writeSync } from "node:fs";
import { rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { paddingTail } from "../src/core/padding.js";
import { decryptFile } from "../src/cli/stream/age-file.js";
import { decryptAttachmentToFile } from "../src/cli/stream/attachment.js";
import { log, mb, rate, ratio, SIZES, type Figures } from "./lib.js";

/** Times `f`, after flushing the previous run's written data to disk so it does not slow this one. */
const timeIt = async (f: () => Promise<void> | void) => {
  execFileSync("sync");
  const t = performance.now();
  await f();
  return (performance.now() - t) / 1000;
};

export async function decryptFigures(work: string, plainFile: string): Promise<Figures> {
  const bytes = SIZES.decrypt;
  log(`editor decryption, ${mb(bytes)}…`);
  const identity = await generateX25519Identity();
  const recipient = await identityToRecipient(identity);
  const keyFile = join(work, "key.txt");
  await writeFile(keyFile, `${identity}\n`, { mode: 0o600 });
  const sealed = join(work, "attachment.age");
  // The attachment as the page makes it: file || padding, sealed with age STREAM (by the age tool here).
  const tail = join(work, "tail.bin");
  await writeFile(tail, paddingTail(bytes));
  execFileSync("bash", ["-c", `cat "${plainFile}" "${tail}" | age -r ${recipient} > "${sealed}"`]);
  const digest = createHash("sha256");
  for await (const c of createReadStream(plainFile)) digest.update(c as Buffer);
  const manifest = { size: bytes, sha256: digest.digest("hex") };
  const sealedSize = (await stat(sealed)).size;
  const ageOut = join(work, "age.out");
  const ours: number[] = [];
  const payloadOnly: number[] = [];
  const age: number[] = [];
  for (let i = 0; i < 3; i++) {
    age.push(await timeIt(() => void execFileSync("age", ["-d", "-i", keyFile, "-o", ageOut, sealed])));
    await rm(ageOut, { force: true });
    const out = join(work, `ours-${i}.bin`);
    ours.push(
      await timeIt(async () => {
        const r = await decryptAttachmentToFile({ path: sealed, size: sealedSize }, [identity], manifest, out);
        if (!r.ok) throw new Error(r.reason);
      }),
    );
    await rm(out, { force: true });
    const raw = join(work, `raw-${i}.bin`);
    payloadOnly.push(
      await timeIt(async () => {
        // Written as sealdrop read writes (attachment.ts): synchronously, a chunk at a time.
        const fd = openSync(raw, "w");
        await decryptFile(sealed, [identity], (chunks) => {
          for (const c of chunks) for (let at = 0; at < c.length; ) at += writeSync(fd, c, at, c.length - at);
        });
        closeSync(fd);
      }),
    );
    await rm(raw, { force: true });
  }
  await rm(sealed, { force: true });
  const best = (xs: number[]) => Math.min(...xs);
  const r1 = best(age) / best(ours);
  const r2 = best(age) / best(payloadOnly);
  return {
    rows: [
      `| Editor decryption to disk, ${mb(bytes)} (\`sealdrop read\`'s path: decrypt + unpad + SHA-256 check) | ${rate(bytes, best(ours))} | \`age -d\` ${rate(bytes, best(age))} | **${ratio(r1)}** | ≥ 1.0 | ${r1 >= 1 ? "met" : "not met"} |`,
      `| Editor decryption to disk, same file, decryptor alone (the same work as \`age -d\`) | ${rate(bytes, best(payloadOnly))} | \`age -d\` ${rate(bytes, best(age))} | **${ratio(r2)}** | ≥ 1.0 | ${r2 >= 1 ? "met" : "not met"} |`,
    ],
    notes: [],
  };
}
