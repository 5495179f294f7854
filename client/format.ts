import type { Translate } from "../src/i18n/index.js";

const KB = 1024;
const MB = 1024 * KB;
const GB = 1024 * MB;

/** One decimal below 10 of a unit, whole numbers above; rounded up, so a limit is never overstated. */
const amount = (x: number) => (x < 10 ? Math.ceil(x * 10) / 10 : Math.ceil(x));

/** A size for people, in the unit that fits: "512 bytes", "2.3 KB", "4.7 MB", "1.2 GB". */
export function fileSize(t: Translate, bytes: number): string {
  if (bytes < KB) return t("sizeBytes", { n: Math.max(0, Math.round(bytes)) });
  // 1023.6 KB rounds up to 1024 KB: such sizes are shown in the next unit instead.
  if (amount(bytes / KB) < 1024) return t("sizeKilobytes", { n: amount(bytes / KB) });
  if (amount(bytes / MB) < 1024) return t("sizeMegabytes", { n: amount(bytes / MB) });
  return t("sizeGigabytes", { n: amount(bytes / GB) });
}
