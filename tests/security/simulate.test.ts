// The source-network simulator at CI scale: a small network over several days loses nothing.
import { describe, expect, it } from "vitest";
import { runSimulation } from "../../scripts/simulate/network.js";

describe("the source-network simulation", () => {
  it("delivers every acknowledged submission, reply and note intact", async () => {
    const report = await runSimulation({ sources: 12, editors: 2, days: 3, concurrency: 4 });
    console.log(`simulate: ${JSON.stringify({ sent: report.sent, lost: report.lost, requests: report.requests, rps: report.throughputPerSecond, errors: report.errors })}`);
    expect(report.lost).toEqual({ submissions: 0, attachments: 0, replies: 0, notes: 0 });
    expect(report.sent.submissions).toBeGreaterThan(3);
    expect(report.sent.replies + report.sent.notes).toBeGreaterThan(0);
    expect(report.errors).toEqual({});
    expect(report.storage.growthBytes).toBeGreaterThan(0);
  });
});
