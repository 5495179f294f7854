// First usable form over a slow, far link: the source page (the real build, served by the real server)
// in Chromium with DevTools network emulation at 128 kbit/s each way and 800 ms round trip, as from a
// phone inside the border region through Tor. The figure is the time from navigation start until the
// message box is on screen, first visit and again on a reload (the page is never cached: no-store). The
// baseline is the same build, same run, with the browser asking for no compression (Accept-Encoding:
// identity). The form needs only the entry chunk and /api/newsroom; the encryption code follows once the
// form is on screen (client/form.ts loadSender).
import type { Browser } from "playwright-core";
import { chromium } from "playwright-core";
import { CHROMIUM, log, type Figures } from "./lib.js";

export const SLOW_LINK = { kbits: 128, rttMs: 800 };
const TARGET_SECONDS = 6;

interface Visit {
  seconds: number;
  /** Bytes over the wire (encoded) for the whole load, from the Network domain. */
  bytes: number;
}

async function firstForm(browser: Browser, url: string, identity: boolean): Promise<Visit[]> {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    const bytesPerSecond = (SLOW_LINK.kbits * 1000) / 8;
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: SLOW_LINK.rttMs, downloadThroughput: bytesPerSecond, uploadThroughput: bytesPerSecond });
    if (identity) await cdp.send("Network.setExtraHTTPHeaders", { headers: { "Accept-Encoding": "identity" } });
    let bytes = 0;
    cdp.on("Network.loadingFinished", (e: { encodedDataLength: number }) => (bytes += e.encodedDataLength));
    const visits: Visit[] = [];
    for (const reload of [false, true]) {
      bytes = 0;
      if (reload) await page.reload({ waitUntil: "commit" });
      else await page.goto(url, { waitUntil: "commit" });
      // Polled every frame in the page: the value is the page's own clock, from navigation start.
      const at = await page.waitForFunction(
        () => {
          const box = document.getElementById("message");
          return box !== null && box.getBoundingClientRect().height > 0 ? performance.now() : false;
        },
        null,
        { polling: "raf", timeout: 120_000 },
      );
      visits.push({ seconds: ((await at.jsonValue()) as number) / 1000, bytes });
    }
    return visits;
  } finally {
    await context.close();
  }
}

/** `url` is a sealdrop server with a newsroom, serving the source page's own build. */
export async function slowLinkFigures(url: string): Promise<Figures> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-quic"] });
  try {
    log(`source page at ${SLOW_LINK.kbits} kbit/s, ${SLOW_LINK.rttMs} ms round trip: compressed…`);
    const ours = await firstForm(browser, `${url}/?lang=ko`, false);
    log(`  uncompressed baseline…`);
    const plain = await firstForm(browser, `${url}/?lang=ko`, true);
    const s = (v: Visit) => `${v.seconds.toFixed(1)} s (${(v.bytes / 1024).toFixed(0)} KiB)`;
    const worst = Math.max(...ours.map((v) => v.seconds));
    return {
      rows: [
        `| First usable form (message box on screen), ${SLOW_LINK.kbits} kbit/s, ${SLOW_LINK.rttMs} ms RTT (Chromium emulation), first visit / reload | ${s(ours[0]!)} / ${s(ours[1]!)} | uncompressed ${s(plain[0]!)} / ${s(plain[1]!)} | **${ratio(Math.max(...plain.map((v) => v.seconds)) / worst)}** | ≤ ${TARGET_SECONDS} s | ${worst <= TARGET_SECONDS ? "met" : "not met"} |`,
      ],
      notes: [
        `Slow link: DevTools \`Network.emulateNetworkConditions\` (${SLOW_LINK.kbits} kbit/s down and up, ${SLOW_LINK.rttMs} ms added per request), browser cache disabled, 360 × 740 viewport, \`?lang=ko\`; time is the page's \`performance.now()\` when #message first has a size, polled every frame. Bytes are the encoded bytes of every response of the load. Ratio = baseline's slower visit ÷ ours.`,
      ],
    };
  } finally {
    await browser.close();
  }
}

const ratio = (x: number) => x.toFixed(2);
