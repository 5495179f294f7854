import { describe, expect, it } from "vitest";
import { randomId } from "../../src/core/bytes.js";
import { isBlobKey } from "../../src/server/blobs.js";

describe("blob keys", () => {
  it("are a known folder and an id", () => {
    for (const folder of ["envelopes", "attachments", "replies", "notes"]) expect(isBlobKey(`${folder}/${randomId()}`)).toBe(true);
  });

  it("name no other folder, no path and no bare id", () => {
    const id = randomId();
    for (const key of [`uploads/${id}`, `tmp/${id}`, `attachments/../${id}`, `attachments/${id}/x`, `/attachments/${id}`, id, `attachments/${"A".repeat(32)}`, "attachments/"]) {
      expect(isBlobKey(key)).toBe(false);
    }
  });
});
