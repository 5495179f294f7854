// Words read as a North Korean or Chinese reader would read them (issue 16): no word that reads as
// "informant", the Chinese codename counted in characters (its words are single characters), and one
// name for the message field in each language.
import { describe, expect, it } from "vitest";
import { ko } from "../../src/i18n/ko.js";
import { zh } from "../../src/i18n/zh.js";

const codenameKeys = (c: Record<string, string>) => Object.keys(c).filter((k) => /codename/i.test(k));

describe("the Chinese catalogue", () => {
  it("never says 线人 (reads as a police informant)", () => {
    expect(Object.entries(zh).filter(([, v]) => v.includes("线人"))).toEqual([]);
  });

  it("counts the codename in characters (字), never in words (词)", () => {
    expect(codenameKeys(zh).filter((k) => zh[k as keyof typeof zh].includes("词"))).toEqual([]);
    expect(zh.codenameHeading).toContain("12 个汉字");
    expect(zh.codenameLabel).toContain("12 个汉字");
  });

  it("names the message field one way: 消息, never 留言", () => {
    expect(zh.messageLabel).toBe("消息");
    expect(Object.entries(zh).filter(([, v]) => v.includes("留言"))).toEqual([]);
  });
});

describe("the Korean catalogue", () => {
  it("names the message field one way: 내용, never 메시지", () => {
    expect(ko.messageLabel).toBe("내용");
    expect(Object.entries(ko).filter(([, v]) => v.includes("메시지"))).toEqual([]);
  });
});
