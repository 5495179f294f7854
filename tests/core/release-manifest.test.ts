// The release manifest's contract (docs/FORMAT.md, "Release manifest"): the vector, who may sign, and the
// page's frame around the <noscript> the server fills in.
import { sha256 } from "@noble/hashes/sha2.js";
import { beforeEach, describe, expect, it } from "vitest";
import { toHex, utf8 } from "../../src/core/bytes.js";
import { isBuiltPage, type ReleaseBody, releaseBodyFor, releaseSignedBytes, signRelease, splitPage, verifyRelease } from "../../src/core/release-manifest.js";
import { nobleSigner, type VerifiedRoster, verifyRoster } from "../../src/core/roster.js";
import { vector } from "./format-doc.js";
import { root, type RosterBuilder, testEditor, type TestEditor, threeEditorNewsroom } from "./roster-fixture.js";

let alice: TestEditor;
let bob: TestEditor;
let log: RosterBuilder;

beforeEach(async () => {
  ({ alice, bob, log } = await threeEditorNewsroom());
});

const verified = (): VerifiedRoster => {
  const result = verifyRoster(root.publicKey, log.entries);
  if (!result.ok) throw result.error;
  return result;
};
const page = utf8("<!doctype html><script src=/a.js></script><noscript><p>x</p></noscript>\n");
const FILES = [
  { path: "index.html", size: page.length, sha256: toHex(sha256(page)) },
  { path: "assets/a.js", size: 1, sha256: "0".repeat(64) },
];
const frame = toHex(sha256(splitPage(page)!.frame));
const bodyBy = (signer: string, head = log.head): ReleaseBody => releaseBodyFor(root.publicKey, head, signer, { path: "index.html", frame }, FILES);
const codeOf = (raw: unknown, roster = verified()) => {
  const result = verifyRelease(raw, roster);
  return result.ok ? "accepted" : result.code;
};

describe("docs/FORMAT.md release vector", () => {
  it("reproduces the body's signed bytes and the signature, and verifies against the fixture's roster", async () => {
    const v = vector("release");
    const body = v.manifest.body as ReleaseBody;
    expect(toHex(sha256(releaseSignedBytes(body)))).toBe(v.signedBytesSha256);
    expect(toHex(sha256(splitPage(utf8(v.pageText))!.frame))).toBe(body.page.frame);
    expect(new TextDecoder().decode(splitPage(utf8(v.pageText))!.frame)).toBe(v.frameText);
    expect(body.files.find((f) => f.path === "assets/a.js")!.sha256).toBe(toHex(sha256(utf8(v.scriptText))));
    expect(toHex(alice.key.seed)).toBe(v.signerSeedHex);
    expect(await signRelease(body, nobleSigner(alice.key.seed))).toEqual(v.manifest);
    const result = verifyRelease(v.manifest, verified());
    expect(result.ok && [...result.files.keys()]).toEqual(["assets/a.js", "index.html"]);
  });
});

describe("who may sign a release", () => {
  it("the root and an active admin may; an editor who is not an admin may not", async () => {
    expect(codeOf(await signRelease(bodyBy("root"), nobleSigner(root.seed)))).toBe("accepted");
    expect(codeOf(await signRelease(bodyBy(alice.spec.id), nobleSigner(alice.key.seed)))).toBe("accepted");
    expect(codeOf(await signRelease(bodyBy(bob.spec.id), nobleSigner(bob.key.seed)))).toBe("release_signer_not_admin");
  });

  it("refuses a forged or altered manifest, and one signed by a key other than the signer's", async () => {
    const good = await signRelease(bodyBy(alice.spec.id), nobleSigner(alice.key.seed));
    const altered = structuredClone(good);
    altered.body.files[0]!.sha256 = "1".repeat(64);
    expect(codeOf(altered)).toBe("release_bad_signature");
    expect(codeOf(await signRelease(bodyBy(alice.spec.id), nobleSigner(bob.key.seed)))).toBe("release_bad_signature");
    expect(codeOf({ ...good, extra: 1 })).toBe("release_malformed");
  });

  it("refuses a release after its signer is revoked, or when their key is marked compromised", async () => {
    const release = await signRelease(bodyBy(alice.spec.id), nobleSigner(alice.key.seed));
    const dave = await testEditor(0x44, "Dave", "admin", ["news"]);
    await log.add(alice, { type: "add-editor", editor: dave.spec });
    await log.add(dave, { type: "revoke-editor", editor: alice.spec.id, compromised: false });
    expect(codeOf(release)).toBe("release_signer_not_admin");
    const byDave = await signRelease(bodyBy(dave.spec.id), nobleSigner(dave.key.seed));
    expect(codeOf(byDave)).toBe("accepted");
    const fresh = await testEditor(0x45, "Dave", "admin", ["news"]);
    await log.add("root", { type: "rotate-keys", editor: dave.spec.id, ageRecipient: null, signPublicKey: fresh.key.publicKey, compromised: true });
    expect(codeOf(byDave)).toBe("release_key_compromised");
  });

  it("refuses a release of another newsroom, or for a roster head the verifier's roster does not hold", async () => {
    const roster = verified();
    const other = await signRelease(releaseBodyFor(alice.key.publicKey, log.head, "root", { path: "index.html", frame }, FILES), nobleSigner(root.seed));
    expect(codeOf(other, roster)).toBe("release_root_mismatch");
    expect(codeOf(await signRelease(bodyBy("root", { seq: 3, hash: "a".repeat(64) }), nobleSigner(root.seed)), roster)).toBe("release_roster_ahead");
    expect(codeOf(await signRelease(bodyBy("root", { seq: 1, hash: "a".repeat(64) }), nobleSigner(root.seed)), roster)).toBe("release_roster_fork");
  });

  it("refuses files out of order, listed twice, with a hidden or climbing path, or without the page", async () => {
    const signed = await signRelease(bodyBy("root"), nobleSigner(root.seed));
    for (const files of [[...signed.body.files].reverse(), [signed.body.files[0], ...signed.body.files], [{ ...FILES[1], path: "../etc/passwd" }, FILES[0]], [{ ...FILES[1], path: ".vite/x" }, FILES[0]], [FILES[1]]]) {
      expect(codeOf({ ...signed, body: { ...signed.body, files } })).toBe("release_malformed");
    }
  });
});

describe("the served page's frame", () => {
  const built = utf8('<html><script src="/a.js"></script><noscript><p>needs JavaScript</p></noscript></body></html>');
  const served = (inside: string, before = '<html><script src="/a.js"></script>') => utf8(`${before}<noscript>${inside}</noscript></body></html>`);

  it("accepts the build's page with any inert form in its <noscript>", () => {
    expect(isBuiltPage(built, built)).toBe(true);
    expect(isBuiltPage(served('<form method="post"><input name="q"></form>'), built)).toBe(true);
  });

  it("refuses a changed frame, a script inside the <noscript>, or a <noscript> ended early", () => {
    expect(isBuiltPage(served("<p>x</p>", '<html><script src="/b.js"></script>'), built)).toBe(false);
    expect(isBuiltPage(served("<SCRIPT>alert(1)</SCRIPT>"), built)).toBe(false);
    expect(isBuiltPage(served("</NoScript><img src=x>"), built)).toBe(false);
    expect(isBuiltPage(utf8("<html></html>"), built)).toBe(false);
  });
});
