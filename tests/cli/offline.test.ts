// list and read on an offline machine: a vault filled without any server, decrypted with the home's key.
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { randomId } from "../../src/core/bytes.js";
import { type Envelope, sealEnvelope } from "../../src/core/envelope.js";
import { pseudonymFor } from "../../src/core/pseudonym.js";
import { createEditor, saveEditor } from "../../src/cli/editor.js";
import { editorHome } from "../../src/cli/home.js";
import { Vault } from "../../src/cli/vault.js";
import { PASSPHRASE, runInProcess, tempDir, testEnv } from "./helpers.js";

let home: string;
let sourceRecipient: string;
// Ids share the prefix "a" so that prefix is ambiguous.
const ids = { withReply: `aa${randomId().slice(2)}`, hostile: `ab${randomId().slice(2)}`, notForMe: `ac${randomId().slice(2)}` };

function envelope(message: string, reply: Envelope["reply"]): Envelope {
  return { v: 1, kind: "submission", desk: "news", message, fields: { region: "Hyesan" }, attachments: [], reply, client: "test", lang: "ko" };
}

beforeAll(async () => {
  home = join(await tempDir(), "home");
  const editor = await createEditor("Alice", "http://127.0.0.1:8787", "N", false);
  await saveEditor(editorHome(home), editor, PASSPHRASE, { out: () => {}, err: () => {}, env: testEnv(), cwd: process.cwd(), interactive: false });
  sourceRecipient = await identityToRecipient(await generateX25519Identity());
  const reply = { recipient: sourceRecipient, mailbox: { id: "ab".repeat(16), credential: "cd".repeat(32) } };
  const someoneElse = await identityToRecipient(await generateX25519Identity());
  const vault = await Vault.open(join(home, "vault.sqlite"));
  const put = async (id: string, day: string, e: Envelope, recipients: string[]) => {
    const sealed = await sealEnvelope(e, recipients);
    await vault.putSubmission({ id, desk: "news", day, envelopeSize: sealed.length, envelope: sealed });
  };
  await put(ids.withReply, "2025-05-03", envelope("보고서 첫 줄\nsecond line", reply), [editor.ageRecipient]);
  await put(ids.hostile, "2025-05-02", envelope("\u001b]2;pwned\u0007\u001b[2Jlooks harmless", null), [editor.ageRecipient]);
  await put(ids.notForMe, "2025-05-01", envelope("not for Alice", null), [someoneElse]);
  await vault.close();
});

describe("offline list and read", () => {
  it("list shows each submission with its source's pseudonym, newest first, and says which it cannot open", async () => {
    const result = await runInProcess(["list", "--home", home, "--json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([
      { id: ids.withReply, day: "2025-05-03", desk: "news", kind: "submission", source: pseudonymFor(sourceRecipient), firstLine: "보고서 첫 줄", attachments: 0 },
      { id: ids.hostile, day: "2025-05-02", desk: "news", kind: "submission", source: null, firstLine: "]2;pwned[2Jlooks harmless", attachments: 0 },
      { id: ids.notForMe, day: "2025-05-01", desk: "news", kind: null, source: null, firstLine: null, attachments: 0, error: "not encrypted to your key" },
    ]);
  });

  it("read shows fields and the pseudonym, but never the mailbox credential", async () => {
    const result = await runInProcess(["read", ids.withReply, "--home", home, "--json"]);
    expect(result.code).toBe(0);
    const shown = JSON.parse(result.stdout);
    expect(shown).toMatchObject({ message: "보고서 첫 줄\nsecond line", fields: { region: "Hyesan" }, lang: "ko", source: pseudonymFor(sourceRecipient) });
    expect(shown.reply).toEqual({ recipient: sourceRecipient, mailbox: "ab".repeat(16) });
    expect(result.stdout).not.toContain("cd".repeat(32));
  });

  it("read prints a hostile message without its terminal escape sequences", async () => {
    const result = await runInProcess(["read", ids.hostile.slice(0, 12), "--home", home]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("]2;pwned[2Jlooks harmless");
    expect(result.stdout).not.toMatch(/[\u001b\u0007]/);
  });

  it("read of a submission sealed to other editors says so", async () => {
    const result = await runInProcess(["read", ids.notForMe, "--home", home]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`sealdrop: submission ${ids.notForMe}: not encrypted to your key\n`);
  });

  it("read of an unknown or ambiguous id explains itself", async () => {
    expect((await runInProcess(["read", "f".repeat(32), "--home", home])).stderr).toMatch(/no submission f+ in the vault; run `sealdrop pull` first/);
    expect((await runInProcess(["read", "NOT-HEX", "--home", home])).stderr).toMatch(/is not a submission id/);
    expect((await runInProcess(["read", "a", "--home", home])).stderr).toMatch(/a matches more than one submission; give more of the id/);
  });
});
