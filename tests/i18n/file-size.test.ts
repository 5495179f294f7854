// Sizes on the page are in the unit that fits, in the page's language: a 2.3 KB photo is not "0.1 MB".
import { describe, expect, it } from "vitest";
import { fileSize } from "../../client/format.js";
import { translator } from "../../src/i18n/index.js";

describe("file sizes", () => {
  it.each([
    [0, "0 bytes", "0바이트", "0 字节"],
    [512, "512 bytes", "512바이트", "512 字节"],
    [2355, "2.3 KB", "2.3 KB", "2.3 KB"],
    [200 * 1024, "200 KB", "200 KB", "200 KB"],
    [1024 * 1024 - 1, "1 MB", "1 MB", "1 MB"],
    [4.7 * 1024 * 1024, "4.7 MB", "4.7 MB", "4.7 MB"],
    [500 * 1024 * 1024, "500 MB", "500 MB", "500 MB"],
    [16 * 1024 ** 3, "16 GB", "16 GB", "16 GB"],
  ])("%i bytes reads %s / %s / %s", (bytes, en, ko, zh) => {
    expect(fileSize(translator("en"), bytes)).toBe(en);
    expect(fileSize(translator("ko"), bytes)).toBe(ko);
    expect(fileSize(translator("zh"), bytes)).toBe(zh);
  });
});
