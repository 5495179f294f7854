import type { Translate } from "../src/i18n/index.js";

/** Sizes for people: megabytes with one decimal below 10 MB, whole numbers above. */
export function megabytes(t: Translate, bytes: number): string {
  const mb = bytes / (1024 * 1024);
  const n = mb < 10 ? Math.ceil(mb * 10) / 10 : Math.ceil(mb);
  return t("sizeMegabytes", { n });
}
