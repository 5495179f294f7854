// A mailbox fetch stores nothing, not even its spent proof of work (invariant 3: a write there would mark
// the tip a returning source sends next). Its solution is still single use within the process.
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCodenameEntropy } from "../../src/core/codename.js";
import { deriveSourceKeys } from "../../src/core/derive.js";
import { proofOfWorkHeaders } from "../../src/core/pow.js";
import { SpentInMemory } from "../../src/server/middleware/pow.js";
import { SQLITE_FILE } from "../../src/server/node/database.js";
import { freshFetch } from "../helpers/http.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ backend: "sqlite" });
});
afterAll(() => server?.dispose());

const spentRows = () => {
  const db = new SQLite(join(server.dataDir, SQLITE_FILE), { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM pow_spent").get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe("a mailbox fetch's proof of work", () => {
  it("is refused the second time, and neither use leaves a pow_spent row", async () => {
    const keys = await deriveSourceKeys(newCodenameEntropy(), "pq");
    const body = JSON.stringify({ id: keys.mailboxId, credential: keys.mailboxCredential });
    const headers = { "content-type": "application/json", ...(await proofOfWorkHeaders(server.url, "POST", "/api/mailbox", new TextEncoder().encode(body))) };
    const before = spentRows();
    const first = await freshFetch(`${server.url}/api/mailbox`, { method: "POST", headers, body });
    expect(first.status).toBe(200);
    const again = await freshFetch(`${server.url}/api/mailbox`, { method: "POST", headers, body });
    expect(again.status).toBe(428);
    expect(((await again.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: "proof_of_work_required", message: expect.stringContaining("already used") });
    expect(spentRows()).toBe(before);
  });
});

describe("SpentInMemory", () => {
  it("refuses a seed twice, says when it is full, and forgets seeds once they expire", () => {
    const spent = new SpentInMemory(2);
    expect(spent.spend("a", 100, 0)).toBe("fresh");
    expect(spent.spend("a", 100, 0)).toBe("spent");
    expect(spent.spend("b", 200, 0)).toBe("fresh");
    expect(spent.spend("c", 200, 0)).toBe("full");
    // At 150 "a" has expired: its room is taken back, "b" is still refused.
    expect(spent.spend("c", 300, 150)).toBe("fresh");
    expect(spent.spend("b", 300, 150)).toBe("spent");
  });
});
