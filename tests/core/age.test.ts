import { armor, Encrypter, generateHybridIdentity, generateX25519Identity, identityToRecipient } from "age-encryption";
import { describe, expect, it } from "vitest";
import { AGE_MAGIC, AgeSniffer, ageDecrypter, assertOneKeyKind, isAgeFile, keyKindOf, MixedKeyKindsError, NotForThisKeyError } from "../../src/core/age.js";
import { utf8 } from "../../src/core/bytes.js";
import { openBytes, sealBytes } from "../../src/core/envelope.js";

const classic = async () => {
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
};
const hybrid = async () => {
  const identity = await generateHybridIdentity();
  return { identity, recipient: await identityToRecipient(identity) };
};

describe("isAgeFile", () => {
  it("accepts a real age file", async () => {
    expect(isAgeFile(await sealBytes(utf8("x"), [(await classic()).recipient]))).toBe(true);
  });

  it("accepts the first 64 bytes of one (what streaming readers keep)", async () => {
    expect(isAgeFile((await sealBytes(utf8("x"), [(await classic()).recipient])).subarray(0, 64))).toBe(true);
  });

  it("refuses the magic line with less after it than any age file holds", () => {
    expect(isAgeFile(new Uint8Array([...AGE_MAGIC, ...new Uint8Array(32)]))).toBe(false);
    expect(isAgeFile(new Uint8Array([...AGE_MAGIC, ...new Uint8Array(33)]))).toBe(true);
  });

  it("refuses armored files, other versions and arbitrary bytes", async () => {
    const sealed = await sealBytes(utf8("x"), [(await classic()).recipient]);
    expect(isAgeFile(utf8(armor.encode(sealed)))).toBe(false);
    expect(isAgeFile(utf8(`age-encryption.org/v2\n${"A".repeat(64)}`))).toBe(false);
    expect(isAgeFile(new Uint8Array(100))).toBe(false);
  });
});

describe("AgeSniffer", () => {
  it("tells an age file streamed in small pieces", async () => {
    const sealed = await sealBytes(utf8("x"), [(await classic()).recipient]);
    const sniffer = new AgeSniffer();
    for (let i = 0; i < sealed.length; i += 5) sniffer.push(sealed.subarray(i, i + 5));
    expect(sniffer.isAgeFile()).toBe(true);
  });

  it("judges only the start: later bytes do not matter", async () => {
    const sniffer = new AgeSniffer();
    sniffer.push(utf8("not an age file at all, whatever follows"));
    sniffer.push(await sealBytes(utf8("x"), [(await classic()).recipient]));
    expect(sniffer.isAgeFile()).toBe(false);
  });

  it("refuses a stream that ends too soon", () => {
    const sniffer = new AgeSniffer();
    sniffer.push(AGE_MAGIC);
    expect(sniffer.isAgeFile()).toBe(false);
  });
});

describe("key kinds", () => {
  it("tell post-quantum recipients and identities from classic ones", async () => {
    const pq = await hybrid();
    const x = await classic();
    expect([keyKindOf(pq.recipient), keyKindOf(pq.identity)]).toEqual(["pq", "pq"]);
    expect([keyKindOf(x.recipient), keyKindOf(x.identity)]).toEqual(["x25519", "x25519"]);
  });

  it("assertOneKeyKind names the one kind of a list, or null for an empty one", async () => {
    expect(assertOneKeyKind([(await hybrid()).recipient, (await hybrid()).recipient])).toBe("pq");
    expect(assertOneKeyKind([(await classic()).recipient])).toBe("x25519");
    expect(assertOneKeyKind([])).toBeNull();
  });

  it("assertOneKeyKind refuses a list that mixes the kinds", async () => {
    const keys = [(await hybrid()).recipient, (await classic()).recipient];
    expect(() => assertOneKeyKind(keys)).toThrow(MixedKeyKindsError);
  });
});

describe("a file that is not for this key", () => {
  it("fails with NotForThisKeyError, not a message to match", async () => {
    const sealed = await sealBytes(utf8("secret"), [(await classic()).recipient]);
    await expect(openBytes(sealed, [(await classic()).identity])).rejects.toBeInstanceOf(NotForThisKeyError);
  });

  it("says so for a wrong passphrase too", async () => {
    const e = new Encrypter();
    e.setPassphrase("right");
    e.setScryptWorkFactor(10);
    const sealed = await e.encrypt("secret");
    await expect(ageDecrypter([], ["wrong"]).decrypt(sealed)).rejects.toBeInstanceOf(NotForThisKeyError);
  });

  it("opens with the right key among others", async () => {
    const me = await hybrid();
    const sealed = await sealBytes(utf8("secret"), [me.recipient]);
    expect(await openBytes(sealed, [(await hybrid()).identity, me.identity])).toEqual(utf8("secret"));
  });

  it("keeps other failures typage's own: a file for this key with a bad MAC is not 'not for this key'", async () => {
    const me = await classic();
    const sealed = await sealBytes(utf8("secret"), [me.recipient]);
    const damaged = sealed.slice();
    const mac = new TextDecoder("latin1").decode(damaged).indexOf("\n--- ") + 5;
    damaged[mac] = damaged[mac] === 0x41 ? 0x42 : 0x41;
    const error = await openBytes(damaged, [me.identity]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(NotForThisKeyError);
    expect((error as Error).message).toMatch(/HMAC/);
  });
});
