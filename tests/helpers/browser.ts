// A real Chromium (Debian's /usr/bin/chromium) driven by playwright-core, plus a recorder for what a
// page does on the network and in the console, so tests can assert the source's browser stays clean.
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM_PATH = process.env.SEALDROP_CHROMIUM ?? "/usr/bin/chromium";

export interface LaunchOptions {
  /** No JIT and no WebAssembly, as in Tor Browser's "Safer" level. */
  jitless?: boolean;
  /** More Chromium switches, e.g. `--host-resolver-rules=…`. */
  args?: string[];
}

export function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...(options.jitless ? ["--js-flags=--jitless"] : []),
      ...(options.args ?? []),
    ],
  });
}

export interface RecordedPage {
  context: BrowserContext;
  page: Page;
  /** Every request the context made, page and workers alike, in order. */
  requests: string[];
  /** Console errors, uncaught exceptions and CSP violations. */
  errors: string[];
  /** Requests whose origin is not `origin`. `data:` and `blob:` URLs never reach the network. */
  offOrigin(origin: string): string[];
  close(): Promise<void>;
}

export interface PageOptions {
  viewport?: { width: number; height: number };
  /** The browser's preferred language (navigator.language and Accept-Language). */
  locale?: string;
}

export async function openRecordedPage(browser: Browser, options: PageOptions = {}): Promise<RecordedPage> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1024, height: 800 },
    locale: options.locale ?? "en-US",
    serviceWorkers: "allow",
  });
  const requests: string[] = [];
  const errors: string[] = [];
  context.on("request", (r) => requests.push(r.url()));
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("requestfailed", (r) => errors.push(`requestfailed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
  return {
    context,
    page,
    requests,
    errors,
    offOrigin: (origin) =>
      requests.filter((u) => {
        if (u.startsWith("data:") || u.startsWith("blob:")) return false;
        return new URL(u).origin !== origin;
      }),
    close: () => context.close(),
  };
}

export interface StorageTraces {
  cookies: number;
  localStorage: number;
  sessionStorage: number;
  indexedDB: string[];
  serviceWorkers: number;
  cacheStorage: string[];
}

/** Everything the page could have left behind in the browser's storage for this origin. */
export async function storageTraces(recorded: RecordedPage): Promise<StorageTraces> {
  const inPage = await recorded.page.evaluate(async () => ({
    localStorage: localStorage.length,
    sessionStorage: sessionStorage.length,
    indexedDB: (await indexedDB.databases()).map((d) => d.name ?? ""),
    serviceWorkers: "serviceWorker" in navigator ? (await navigator.serviceWorker.getRegistrations()).length : 0,
    cacheStorage: "caches" in globalThis ? await caches.keys() : [],
  }));
  return { cookies: (await recorded.context.cookies()).length, ...inPage };
}

/**
 * Sends a tip with files through the source page at `origin` (English), as a source does, and returns the
 * receipt's id once the page shows it (within `timeoutMs`: large files take a while on a busy machine).
 */
export async function sendThroughPage(page: Page, origin: string, message: string, files: Parameters<Page["setInputFiles"]>[1], timeoutMs = 240_000): Promise<string> {
  await page.goto(`${origin}/?lang=en`);
  await page.locator("#fingerprint").waitFor();
  await page.getByLabel("Message").fill(message);
  await page.getByLabel("Files (optional)").setInputFiles(files);
  await page.getByRole("button", { name: "Encrypt and send" }).click();
  const receipt = page.locator("#receipt-id");
  await receipt.waitFor({ timeout: timeoutMs });
  return (await receipt.textContent()) ?? "";
}
