// Authority that the server cannot fake, from the source's page (issue 13). A newsroom made by `sealdrop
// init` (a root key and a signed roster), the real server process, and a hostile proxy in front of it
// (tests/cli/tamper-proxy.ts: real HTTP) through which Chromium, normal and `--jitless`, loads the page.
// The proxy adds a key to the newsroom answer or to the roster, maps a desk to other keys, serves an older
// roster or drops an entry: each time the page withholds the form with its message, in the page's language,
// and nothing the page sends during the test carries a stanza for the proxy's key. The fingerprint the page
// shows is the root's, the same as `sealdrop fingerprint`, before and after every staffing change. A
// returning source's follow-up goes to the desk of its conversation. What the page cannot tell without
// memory (a consistent rollback) is shown too, as docs/THREAT-MODEL.md describes it.
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { ed25519 } from "@noble/curves/ed25519.js";
import { Decrypter, generateHybridIdentity, identityToRecipient } from "age-encryption";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wordlist as english } from "@scure/bip39/wordlists/english.js";
import { fromBase64, randomId, toBase64, toBase64Url, utf8 } from "../../src/core/bytes.js";
import { phraseToCodename } from "../../src/core/codename.js";
import { deriveSourceKeys, keyKindOf } from "../../src/core/derive.js";
import { sealBytes } from "../../src/core/envelope.js";
import { openRawJson } from "../../src/core/messages.js";
import { newsroomFingerprint, rootFingerprint } from "../../src/core/fingerprint.js";
import {
  deskRecipients,
  genesisEntryBody,
  nextEntryBody,
  nobleSigner,
  type RosterEntry,
  rosterEntryHash,
  signRosterEntry,
  verifyRoster,
} from "../../src/core/roster.js";
import type { NewsroomResponse, RosterResponse } from "../../src/core/wire.js";
import { CATALOGUES, type Language, type MessageKey } from "../../src/i18n/index.js";
import { launchChromium, openRecordedPage, type RecordedPage } from "../helpers/browser.js";
import { startTestServer } from "../helpers/server.js";
import { ageStanzas, startTamperProxy, type TamperProxy } from "../cli/tamper-proxy.js";
import { buildClient } from "./build.js";
import { startNewsroom, type Newsroom } from "./newsroom.js";

const MODES = { normal: false, jitless: true } as const;
type Mode = keyof typeof MODES;

let clientDir: string;
let newsroom: Newsroom;
let proxy: TamperProxy;
const browsers = {} as Record<Mode, Browser>;
let injectedIdentity: string;
let injectedRecipient: string;
/** The published fingerprint, as `sealdrop fingerprint` printed it right after `init`. */
let published: string;

beforeAll(async () => {
  clientDir = await buildClient();
  newsroom = await startNewsroom({ clientDir, name: "Border News", desks: ["news=News", "inv=Investigations"] });
  proxy = await startTamperProxy(newsroom.server.url);
  injectedIdentity = await generateHybridIdentity();
  injectedRecipient = await identityToRecipient(injectedIdentity);
  browsers.normal = await launchChromium();
  browsers.jitless = await launchChromium({ jitless: true });
}, 180_000);

afterAll(async () => {
  await browsers.normal?.close();
  await browsers.jitless?.close();
  await proxy?.close();
  await newsroom?.dispose();
  if (clientDir) await rm(clientDir, { recursive: true, force: true });
});

const cli = (...args: string[]) => newsroom.sealdrop(...args, "--server", newsroom.server.url);
const cliFingerprint = async () => (JSON.parse(await cli("fingerprint", "--json")) as { fingerprint: string; kind: string }).fingerprint;
const serverJson = async <T>(path: string): Promise<T> => (await fetch(newsroom.server.url + path)).json() as Promise<T>;

/** Opens the page through the proxy and waits until it decided: the fingerprint and form, or an alert. */
async function openPage(mode: Mode, lang: Language): Promise<RecordedPage> {
  const r = await openRecordedPage(browsers[mode]);
  await r.page.goto(`${proxy.url}/?lang=${lang}`);
  await r.page.locator("#start form, #main > [role=alert]").first().waitFor({ timeout: 60_000 });
  await r.page.locator("#checking").waitFor({ state: "detached" });
  return r;
}

async function pageFingerprint(mode: Mode): Promise<string> {
  const r = await openPage(mode, "en");
  try {
    expect(r.errors).toEqual([]);
    expect(await r.page.locator("#main > [role=alert]").count()).toBe(0);
    return (await r.page.locator("#fingerprint").textContent()) ?? "";
  } finally {
    await r.close();
  }
}

describe("the fingerprint a source compares", () => {
  it("is the root's on the page, in the newsroom answer and from `sealdrop fingerprint`, before and after adding, rotating and revoking editors and adding a desk", async () => {
    published = await cliFingerprint();
    expect(published).toMatch(/^([0-9A-F]{4} ){9}[0-9A-F]{4}$/);
    const roster = await serverJson<RosterResponse>("/api/roster");
    expect(rootFingerprint(roster.root)).toBe(published);
    expect((await serverJson<NewsroomResponse>("/api/newsroom")).fingerprint).toBe(published);
    expect(await pageFingerprint("normal")).toBe(published);

    const colleague = join(newsroom.root, "colleague");
    const changes: [string, () => Promise<unknown>][] = [
      ["a desk added", () => cli("desk", "add", "sports", "--name", "Sports", "--name-ko", "체육")],
      ["an editor added", () => newsroom.sealdropWith({ SEALDROP_NEW_PASSPHRASE: "the colleague's own passphrase" }, "editor", "add", "--name", "Carol", "--desk", "inv", "--out-home", colleague, "--server", newsroom.server.url)],
      ["keys rotated", () => cli("editor", "rotate")],
      [
        "an editor revoked",
        async () => cli("editor", "revoke", (JSON.parse(await readFile(join(colleague, "editor.key"), "utf8")) as { editorId: string }).editorId),
      ],
    ];
    let entries = roster.entries.length;
    for (const [what, change] of changes) {
      await change();
      const now = await serverJson<RosterResponse>("/api/roster");
      expect(now.entries.length, what).toBeGreaterThan(entries);
      entries = now.entries.length;
      expect(await cliFingerprint(), what).toBe(published);
      expect((await serverJson<NewsroomResponse>("/api/newsroom")).fingerprint, what).toBe(published);
      expect(await pageFingerprint("normal"), what).toBe(published);
    }
    expect(await pageFingerprint("jitless")).toBe(published);
  }, 300_000);
});

/** An add-editor entry for the proxy's own key, claiming the newsroom's admin signed it: what a proxy can make. */
async function forgedEntry(roster: RosterResponse): Promise<RosterEntry> {
  const last = roster.entries.at(-1)! as RosterEntry;
  const admin = (roster.entries[0] as RosterEntry & { body: { editor: { id: string } } }).body.editor.id;
  const seed = ed25519.utils.randomSecretKey();
  const body = nextEntryBody({ seq: last.body.seq, hash: rosterEntryHash(last.body) }, admin, {
    type: "add-editor",
    editor: { id: randomId(), name: "Proxy", ageRecipient: injectedRecipient, signPublicKey: toBase64Url(ed25519.getPublicKey(seed)), role: "editor", desks: ["news"] },
  });
  return signRosterEntry(body, nobleSigner(seed));
}

/** A whole roster of the proxy's own, from a root key of its own, reading every desk with its key. */
async function impostorRoster(): Promise<{ log: RosterResponse; fingerprint: string }> {
  const seed = ed25519.utils.randomSecretKey();
  const root = toBase64Url(ed25519.getPublicKey(seed));
  const editorSeed = ed25519.utils.randomSecretKey();
  const body = genesisEntryBody(root, { en: "Border News" }, [{ id: "news", names: { en: "News" } }, { id: "inv", names: { en: "Investigations" } }], {
    id: randomId(),
    name: "Proxy",
    ageRecipient: injectedRecipient,
    signPublicKey: toBase64Url(ed25519.getPublicKey(editorSeed)),
    role: "admin",
    desks: ["news", "inv"],
  });
  return { log: { root, entries: [await signRosterEntry(body, nobleSigner(seed))] }, fingerprint: rootFingerprint(root) };
}

type Answer = NewsroomResponse;
const desk = (answer: Answer, id: string) => answer.desks.find((d) => d.id === id)!;
const headOf = (entries: RosterEntry[]) => ({ seq: entries.at(-1)!.body.seq, hash: rosterEntryHash(entries.at(-1)!.body) });

interface Lie {
  name: string;
  /** Rewrites the newsroom answer and the roster (both parsed, as the server sent them). */
  rewrite: (answer: Answer, roster: RosterResponse) => Promise<void> | void;
  message: MessageKey;
}

const LIES: Lie[] = [
  {
    name: "(a) a key added to the newsroom answer",
    rewrite: (answer) => void desk(answer, "news").recipients.push(injectedRecipient),
    message: "fingerprintMismatch",
  },
  {
    name: "(a) a key added to the roster, and to the newsroom answer to agree with it",
    rewrite: async (answer, roster) => {
      const forged = await forgedEntry(roster);
      roster.entries.push(forged);
      desk(answer, "news").recipients.push(injectedRecipient);
      answer.roster!.head = headOf(roster.entries as RosterEntry[]);
    },
    message: "rosterInvalid",
  },
  {
    name: "(b) a desk mapped to other keys",
    rewrite: (answer) => {
      desk(answer, "inv").recipients = [injectedRecipient];
    },
    message: "fingerprintMismatch",
  },
  {
    name: "(b) every desk mapped to the keys of a roster from another root, with the newsroom's fingerprint still claimed",
    rewrite: async (answer, roster) => {
      const impostor = await impostorRoster();
      roster.root = impostor.log.root;
      roster.entries = impostor.log.entries;
      for (const d of answer.desks) d.recipients = d.id === "news" || d.id === "inv" ? [injectedRecipient] : [];
      answer.roster = { root: impostor.log.root, fingerprint: impostor.fingerprint, head: headOf(impostor.log.entries as RosterEntry[]) };
    },
    message: "fingerprintMismatch",
  },
  {
    name: "(c) an older roster (its last entry cut off) behind an up-to-date newsroom answer",
    rewrite: (_answer, roster) => {
      roster.entries = roster.entries.slice(0, -1);
    },
    message: "fingerprintMismatch",
  },
  {
    name: "(c) an older roster that still names a revoked editor, with the answer's head moved back",
    rewrite: (answer, roster) => {
      roster.entries = roster.entries.slice(0, -1);
      answer.roster!.head = headOf(roster.entries as RosterEntry[]);
    },
    message: "fingerprintMismatch",
  },
  {
    name: "(d) an entry dropped from the middle of the roster",
    rewrite: (answer, roster) => {
      roster.entries.splice(1, 1);
      answer.roster!.head = headOf(roster.entries as RosterEntry[]);
    },
    message: "rosterInvalid",
  },
];

/** Makes the proxy tell a lie: the newsroom answer and the roster, fetched fresh, rewritten together. */
async function tell(rewrite: Lie["rewrite"]): Promise<void> {
  proxy.tamper = null;
  const [answer, roster] = await Promise.all([serverJson<Answer>("/api/newsroom"), serverJson<RosterResponse>("/api/roster")]);
  await rewrite(answer, roster);
  proxy.tamper = (path) => (path === "/api/newsroom" ? answer : path === "/api/roster" ? roster : undefined);
}

const LANGS: Language[] = ["en", "ko", "zh"];

describe("a proxy that lies about who reads", () => {
  for (const [i, lie] of LIES.entries()) {
    for (const mode of Object.keys(MODES) as Mode[]) {
      const lang = LANGS[i % LANGS.length]!;
      it(`${lie.name}: the ${mode} page withholds the form and says so in ${lang}`, async () => {
        await tell(lie.rewrite);
        const sentBefore = proxy.sourceSent.length;
        const r = await openPage(mode, lang);
        try {
          await expect.poll(() => r.page.locator("#main > [role=alert]").textContent()).toBe(CATALOGUES[lang][lie.message]);
          expect(await r.page.locator("form").count()).toBe(0);
          expect(await r.page.locator("#message").count()).toBe(0);
          expect(await r.page.getAttribute("html", "lang")).toBe(lang === "zh" ? "zh-Hans" : lang);
          expect(r.errors).toEqual([]);
        } finally {
          proxy.tamper = null;
          await r.close();
        }
        expect(proxy.sourceSent.length).toBe(sentBefore);
      }, 120_000);
    }
  }

  it("once the proxy stops lying, a tip through it is encrypted only to the roster's keys for its desk, and never to the proxy's", async () => {
    proxy.tamper = null;
    const roster = await serverJson<RosterResponse>("/api/roster");
    const verified = verifyRoster(roster.root, roster.entries);
    if (!verified.ok) throw verified.error;
    const r = await openPage("jitless", "en");
    try {
      await r.page.getByLabel(CATALOGUES.en.deskLabel).selectOption("inv");
      await r.page.getByLabel(CATALOGUES.en.messageLabel).fill("Trucks at the customs house, after the lies stopped");
      await r.page.getByLabel(CATALOGUES.en.filesLabel).setInputFiles({ name: "map.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(40_000, 7) });
      await r.page.getByRole("button", { name: CATALOGUES.en.submit }).click();
      await r.page.locator("#receipt-id").waitFor({ timeout: 120_000 });
      expect(r.errors).toEqual([]);
    } finally {
      await r.close();
    }
    const submissions = proxy.sourceSent.filter((s) => s.kind === "submission");
    expect(submissions.map((s) => s.desk)).toEqual(["inv"]);
    expect(proxy.sourceSent.filter((s) => s.kind === "part")).toHaveLength(1);
  }, 180_000);
});

/** Opens the mailbox of `words` on a fresh jitless page (through the proxy) and waits for the replies. */
async function returnWith(words: string[]): Promise<RecordedPage> {
  const r = await openPage("jitless", "en");
  await r.page.getByRole("button", { name: CATALOGUES.en.returnButton }).click();
  await r.page.getByLabel(CATALOGUES.en.codenameLabel).fill(words.join(" "));
  await r.page.getByRole("button", { name: CATALOGUES.en.codenameOpen }).click();
  await r.page.locator(".reply-message").first().waitFor({ timeout: 60_000 });
  return r;
}

describe("a returning source's follow-up", () => {
  let words: string[];

  it("goes to the conversation's desk (inv), encrypted to that desk's roster keys, not to the first desk", async () => {
    proxy.tamper = null;
    // A first tip to inv, with a codename.
    let first: string;
    {
      const r = await openPage("jitless", "en");
      try {
        await r.page.getByLabel(CATALOGUES.en.deskLabel).selectOption("inv");
        await r.page.getByLabel(CATALOGUES.en.messageLabel).fill("The inv story: a warehouse by the river");
        await r.page.getByRole("button", { name: CATALOGUES.en.submit }).click();
        await r.page.locator("#receipt-id").waitFor({ timeout: 120_000 });
        first = (await r.page.locator("#receipt-id").textContent()) ?? "";
        words = await r.page.locator("#codename-words li").allTextContents();
        expect(words).toHaveLength(12);
      } finally {
        await r.close();
      }
    }
    // The editor answers it: the reply is filed under inv, the conversation's desk.
    await cli("pull");
    await cli("reply", first, "--message", "Which warehouse? We read you on the investigations desk.");

    const sentBefore = proxy.sourceSent.length;
    const r = await returnWith(words);
    try {
      expect(await r.page.locator(".reply-unverified").count()).toBe(0);
      // The follow-up names its desk and offers no other.
      expect(await r.page.locator("#followup-desk").textContent()).toBe(CATALOGUES.en.followupDesk.replace("{desk}", "Investigations"));
      expect(await r.page.locator("#desk").count()).toBe(0);
      await r.page.getByLabel(CATALOGUES.en.messageLabel).fill("The follow-up: the blue warehouse, second gate");
      await r.page.getByRole("button", { name: CATALOGUES.en.submit }).click();
      await r.page.locator("#receipt-id").waitFor({ timeout: 120_000 });
      expect(r.errors).toEqual([]);
    } finally {
      await r.close();
    }
    const sent = proxy.sourceSent.slice(sentBefore).filter((s) => s.kind === "submission");
    expect(sent.map((s) => s.desk)).toEqual(["inv"]);

    // The editor's vault lists the follow-up on inv.
    await cli("pull");
    const listed = JSON.parse(await newsroom.sealdrop("list", "--json")) as { id: string; desk: string; kind: string | null; firstLine: string | null }[];
    const followup = listed.find((s) => s.firstLine?.includes("The follow-up: the blue warehouse"));
    expect(followup).toMatchObject({ desk: "inv", kind: "followup" });
  }, 300_000);

  /** Makes the proxy rewrite every reply in the mailbox answer: decrypted with the source's key, changed, sealed again. */
  async function rewriteReplies(change: (reply: Record<string, unknown>) => void): Promise<void> {
    const entropy = phraseToCodename(words.join(" "), [english]);
    const roster = await serverJson<RosterResponse>("/api/roster");
    const verified = verifyRoster(roster.root, roster.entries);
    if (!verified.ok) throw verified.error;
    const keys = await deriveSourceKeys(entropy, keyKindOf(deskRecipients(verified.state, "inv")[0]!));
    proxy.tamper = async (path, body, method) => {
      if (method !== "POST" || path !== "/api/mailbox") return undefined;
      const answer = body as { replies: { day: string; ciphertext: string; desk?: string | null }[]; padding: string };
      for (const item of answer.replies) {
        const reply = (await openRawJson(fromBase64(item.ciphertext), [keys.replyIdentity])) as Record<string, unknown>;
        change(reply);
        item.ciphertext = toBase64(await sealBytes(utf8(JSON.stringify(reply)), [keys.replyRecipient]));
      }
      return answer;
    };
  }

  it("a signed reply whose signature does not verify is shown with a warning and names no desk: the source chooses", async () => {
    // The proxy (holding the source's key, the worst case) moves the signed reply to another desk.
    await rewriteReplies((reply) => {
      expect(reply.sig).toMatchObject({ desk: "inv" });
      (reply.sig as { desk: string }).desk = "news";
    });
    const r = await returnWith(words);
    try {
      expect(await r.page.locator(".reply-unverified").allTextContents()).toEqual([CATALOGUES.en.replyUnverified]);
      expect(await r.page.locator("#followup-desk").count()).toBe(0);
      expect(await r.page.locator("#desk option").evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value))).toEqual(["news", "inv", "sports"]);
      expect(r.errors).toEqual([]);
    } finally {
      proxy.tamper = null;
      await r.close();
    }
  }, 180_000);

  it("an unsigned reply falls back to the desk the server filed it under", async () => {
    await rewriteReplies((reply) => {
      delete reply.sig;
    });
    const r = await returnWith(words);
    try {
      expect(await r.page.locator(".reply-unverified").count()).toBe(0);
      expect(await r.page.locator("#followup-desk").textContent()).toBe(CATALOGUES.en.followupDesk.replace("{desk}", "Investigations"));
      expect(await r.page.locator("#desk").count()).toBe(0);
    } finally {
      proxy.tamper = null;
      await r.close();
    }
  }, 180_000);
});

describe("a newsroom without a roster yet (set up before rosters)", () => {
  it("shows the key-list fingerprint with a note that it changes with every editor, and takes a tip, in normal and jitless Chromium", async () => {
    const old = await startTestServer({ clientDir });
    try {
      const answer = (await (await fetch(`${old.url}/api/newsroom`)).json()) as NewsroomResponse;
      expect(answer.roster).toBeNull();
      expect((await fetch(`${old.url}/api/roster`)).status).toBe(404);
      const expected = newsroomFingerprint(answer.desks.flatMap((d) => d.recipients));
      expect(answer.fingerprint).toBe(expected);
      for (const mode of Object.keys(MODES) as Mode[]) {
        const r = await openRecordedPage(browsers[mode]);
        try {
          await r.page.goto(`${old.url}/?lang=ko`);
          await r.page.locator("#fingerprint").waitFor({ timeout: 60_000 });
          expect(await r.page.locator("#fingerprint").textContent()).toBe(expected);
          expect(await r.page.locator(".fingerprint .help").textContent()).toBe(CATALOGUES.ko.fingerprintKeys);
          await r.page.getByLabel(CATALOGUES.ko.messageLabel).fill(`${mode}: 오래된 뉴스룸에도 제보`);
          await r.page.getByRole("button", { name: CATALOGUES.ko.submit }).click();
          await r.page.locator("#receipt-id").waitFor({ timeout: 120_000 });
          // The one failed request is the roster this server does not have (404), which Chromium logs.
          expect(r.errors).toEqual(["console: Failed to load resource: the server responded with a status of 404 (Not Found)"]);
          expect(r.requests.filter((u) => new URL(u).pathname === "/api/roster")).toHaveLength(1);
        } finally {
          await r.close();
        }
      }
    } finally {
      await old.dispose();
    }
  }, 300_000);
});

describe("what the page cannot tell without memory (docs/THREAT-MODEL.md)", () => {
  it("a consistent rollback: an older roster and a newsroom answer rewritten to match it pass, so tips would reach the revoked editor again", async () => {
    // The last entry revoked Carol from inv. Served without it, and with the answer made to agree, the
    // page has nothing to compare against: it verifies an older, genuine roster. Only a memory (the CLI's
    // pin) or the published fingerprint of a newer head could tell.
    let revoked: string[] = [];
    await tell((answer, roster) => {
      roster.entries = roster.entries.slice(0, -1);
      const older = verifyRoster(roster.root, roster.entries);
      if (!older.ok) throw older.error;
      revoked = deskRecipients(older.state, "inv").filter((k) => !desk(answer, "inv").recipients.includes(k));
      for (const d of answer.desks) d.recipients = deskRecipients(older.state, d.id);
      answer.roster!.head = older.head;
    });
    expect(revoked).toHaveLength(1);
    const r = await openPage("normal", "en");
    try {
      expect(await r.page.locator("#main > [role=alert]").count()).toBe(0);
      expect(await r.page.locator("#fingerprint").textContent()).toBe(published);
      await r.page.getByLabel(CATALOGUES.en.deskLabel).selectOption("inv");
      expect(await r.page.locator("#desk option").allTextContents()).toContain("Investigations");
    } finally {
      proxy.tamper = null;
      await r.close();
    }
  }, 120_000);

  it("a whole impostor (its own root, roster and fingerprint): the page shows another fingerprint than the published one, which is the source's check", async () => {
    await tell(async (answer, roster) => {
      const impostor = await impostorRoster();
      roster.root = impostor.log.root;
      roster.entries = impostor.log.entries;
      for (const d of answer.desks) d.recipients = d.id === "news" || d.id === "inv" ? [injectedRecipient] : [];
      answer.desks = answer.desks.filter((d) => d.recipients.length > 0);
      answer.fingerprint = impostor.fingerprint;
      answer.roster = { root: impostor.log.root, fingerprint: impostor.fingerprint, head: headOf(impostor.log.entries as RosterEntry[]) };
    });
    const r = await openPage("normal", "en");
    try {
      const shown = await r.page.locator("#fingerprint").textContent();
      expect(shown).toMatch(/^([0-9A-F]{4} ){9}[0-9A-F]{4}$/);
      expect(shown).not.toBe(published);
    } finally {
      proxy.tamper = null;
      await r.close();
    }
  }, 120_000);
});

describe("what reached the server through the proxy", () => {
  it("carries no stanza for the proxy's key: every envelope and file is sealed to exactly its desk's roster keys", async () => {
    const roster = await serverJson<RosterResponse>("/api/roster");
    const verified = verifyRoster(roster.root, roster.entries);
    if (!verified.ok) throw verified.error;
    expect(proxy.sourceSent.length).toBeGreaterThan(0);
    const injected = new Decrypter();
    injected.addIdentity(injectedIdentity);
    const files: Uint8Array[] = [];
    for (const sent of proxy.sourceSent) {
      if (sent.kind === "submission") {
        const file = fromBase64(sent.envelope);
        expect(ageStanzas(file)).toHaveLength(deskRecipients(verified.state, sent.desk).length);
        files.push(file);
      } else {
        // Every file here is one part; its header is all the proxy's key could be named in.
        expect(ageStanzas(sent.bytes)).toHaveLength(deskRecipients(verified.state, "inv").length);
        files.push(new Uint8Array(sent.bytes));
      }
    }
    for (const file of files) await expect(injected.decrypt(file)).rejects.toThrow(/no identity matched/i);
  });
});
