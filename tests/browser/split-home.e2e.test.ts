// A split editor home, from the source's page and back (issue 13): a source sends a tip from the built page in
// Chromium and keeps a codename; the editor's home is split; the online half pulls and cannot decrypt; its
// vault bundle goes to the reading half, which reads the tip and seals a reply into its outbox; the online
// half posts the outbox bundle; the source returns with the codename words in a fresh context and reads the
// reply in the page. tests/cli/split-home.test.ts checks the same path's refusals and files in detail.
import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { en } from "../../src/i18n/en.js";
import { launchChromium, openRecordedPage } from "../helpers/browser.js";
import { buildClient } from "./build.js";
import { startNewsroom, type Newsroom } from "./newsroom.js";

const SEALDROP = fileURLToPath(new URL("../../bin/sealdrop.js", import.meta.url));
// The passphrase startNewsroom's `sealdrop init` used.
const ENV = { ...process.env, SEALDROP_PASSPHRASE: "test passphrase for the e2e newsroom", SEALDROP_KDF: "interactive" };
const TIP = "Split-home tip: the depot gate opens at 02:00";
const REPLY = "Thank you. Does the gate open every night?";

let browser: Browser;
let clientDir: string;
let newsroom: Newsroom;

/** Runs `sealdrop ARGS` (the caller names --home); resolves with its exit code and output, never throws. */
function sealdrop(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SEALDROP, ...args], { env: ENV, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  clientDir = await buildClient();
  newsroom = await startNewsroom({ clientDir });
  browser = await launchChromium({ jitless: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await newsroom?.dispose();
  if (clientDir) await rm(clientDir, { recursive: true, force: true });
});

describe("a split home answers a source who reads the reply in the page", () => {
  it("runs the whole path", async () => {
    const url = newsroom.server.url;
    // The source sends a tip and is given a codename.
    let words: string[];
    {
      const r = await openRecordedPage(browser);
      try {
        await r.page.goto(`${url}/?lang=en`);
        await r.page.locator("#fingerprint").waitFor();
        expect(await r.page.getByLabel(en.keepCodename).isChecked()).toBe(true);
        await r.page.getByLabel(en.messageLabel).fill(TIP);
        await r.page.getByRole("button", { name: en.submit }).click();
        await r.page.locator("#receipt-id").waitFor({ timeout: 120_000 });
        words = await r.page.locator("#codename-words li").allTextContents();
        expect(words).toHaveLength(12);
      } finally {
        await r.context.close();
      }
    }

    const online = join(newsroom.root, "online");
    const reading = join(newsroom.root, "reading");
    expect((await sealdrop("home", "split", "--home", newsroom.home, "--online-out", online, "--offline-out", reading)).code).toBe(0);
    expect(JSON.parse((await sealdrop("pull", "--home", online, "--server", url, "--json")).stdout)).toMatchObject({ newSubmissions: 1 });
    const cannot = await sealdrop("list", "--home", online);
    expect(cannot.code).toBe(1);
    expect(cannot.stderr).toMatch(/\(no_decryption_key\)\n$/);

    const vault = join(newsroom.root, "vault.sealdrop");
    expect((await sealdrop("export", "--home", online, "--out", vault)).code).toBe(0);
    expect((await sealdrop("import", vault, "--home", reading)).code).toBe(0);
    const sources = JSON.parse((await sealdrop("sources", "--home", reading, "--json")).stdout) as { pseudonym: string; canReply: boolean }[];
    expect(sources).toMatchObject([{ canReply: true }]);
    const listed = JSON.parse((await sealdrop("list", "--home", reading, "--json")).stdout) as { firstLine: string }[];
    expect(listed.map((l) => l.firstLine)).toEqual([TIP]);
    const sealed = await sealdrop("reply", sources[0]!.pseudonym, "--message", REPLY, "--home", reading, "--json");
    expect(JSON.parse(sealed.stdout)).toMatchObject({ outbox: true });
    const outbox = join(newsroom.root, "outbox.sealdrop");
    expect((await sealdrop("export", "--outbox", "--home", reading, "--out", outbox)).code).toBe(0);
    const posted = await sealdrop("import", outbox, "--home", online, "--server", url, "--json");
    expect(posted.code).toBe(0);
    expect(JSON.parse(posted.stdout)).toMatchObject({ items: 1, alreadyPosted: 0 });

    // The source comes back with the words in a fresh context and reads the reply in the page.
    const r = await openRecordedPage(browser);
    try {
      await r.page.goto(`${url}/?lang=en`);
      await r.page.locator("#fingerprint").waitFor();
      await r.page.getByRole("button", { name: en.returnButton }).click();
      await r.page.getByLabel(en.codenameLabel).fill(words.join(" "));
      await r.page.getByRole("button", { name: en.codenameOpen }).click();
      const message = r.page.locator(".reply-message");
      await message.waitFor({ timeout: 60_000 });
      expect(await message.allTextContents()).toEqual([REPLY]);
      expect(r.errors).toEqual([]);
    } finally {
      await r.context.close();
    }
  }, 600_000);
});
