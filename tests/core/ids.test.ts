import { describe, expect, it } from "vitest";
import { isId, randomId } from "../../src/core/bytes.js";
import { id } from "../../src/core/wire.js";

describe("ids", () => {
  it("a fresh id is one", () => {
    expect(isId(randomId())).toBe(true);
  });

  it("are exactly 32 lowercase hex characters", () => {
    const good = randomId();
    for (const bad of [`A${good.slice(1)}`, good.slice(1), `${good}0`, ` ${good.slice(1)}`, `${good.slice(0, 31)}g`, `${good}\n`]) {
      expect(isId(bad)).toBe(false);
    }
  });

  it("are never anything but strings", () => {
    expect(isId(123)).toBe(false);
    expect(isId(null)).toBe(false);
    expect(isId({ toString: () => randomId() })).toBe(false);
  });

  it("the wire schema accepts exactly what isId does", () => {
    for (const value of [randomId(), randomId().toUpperCase(), "0".repeat(31), "f".repeat(32)]) {
      expect(id.safeParse(value).success).toBe(isId(value));
    }
  });
});
