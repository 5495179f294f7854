// `sealdrop note` writing source-network model events (services/note-model.ts) against a real server and
// real vaults: the model computed from the notes the CLI wrote gives "1 chain" for two sources agreeing
// through one relay and "2 chains" through two; a contradiction is flagged; a withdrawn tag is gone;
// reliability and credibility never land on the wrong kind of entity; a phone number is not sealed
// (nothing reaches the server) until the editor confirms.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCodenameEntropy } from "../../src/core/codename.js";
import { deriveSourceKeys, keyKindOf } from "../../src/core/derive.js";
import { buildNetworkModel, modelEventsOf, type NetworkModel } from "../../src/core/network/analyze.js";
import { pseudonymFor } from "../../src/core/pseudonym.js";
import { coarseDay } from "../../src/core/time.js";
import { editorHome } from "../../src/cli/home.js";
import { openDeskView } from "../../src/cli/services/desk.js";
import { unlockHome } from "../../src/cli/unlock.js";
import { type RunningServer, startNodeServer } from "../../src/server/node/serve.js";
import { fetchNewsroom, submitTip } from "../helpers/source.js";
import { runCli, runInProcess, tempDir, testEnv } from "./helpers.js";
import { startTamperProxy, type TamperProxy } from "./tamper-proxy.js";

let server: RunningServer;
let proxy: TamperProxy;
let alice: string;
const sources: { pseudonym: string; tip: string }[] = [];

type Result = { code: number; stdout: string; stderr: string };
const ok = (r: Result) => {
  expect(r.stderr, r.stderr).not.toMatch(/sealdrop: /);
  expect(r.code, r.stderr).toBe(0);
  return r;
};
type Added = { id: string; model: { relay: string | null; claim: string | null; eventIds: { op: string; id: string }[] } };
const note = async (...args: string[]): Promise<Added> => JSON.parse(ok(await runInProcess(["note", ...args, "--home", alice, "--json"])).stdout) as Added;

/** The model as the inbox computes it: from the verified notes in Alice's vault. */
async function model(): Promise<NetworkModel> {
  const io = { out: () => {}, err: () => {}, env: testEnv(), cwd: process.cwd(), interactive: false };
  const view = await openDeskView(await unlockHome(io, { home: alice }));
  const { events, problems } = modelEventsOf(view.desk.notes.flatMap((n) => (n.signature.verified ? [{ model: n.note.model, author: n.signature.author.id }] : [])));
  expect(problems).toEqual([]);
  const built = buildNetworkModel({ submissions: view.desk.submissions.map((s) => ({ id: s.id, source: s.pseudonym, day: s.day, desk: s.desk })), events, today: coarseDay(new Date()) });
  expect(built.problems).toEqual([]);
  return built;
}

beforeAll(async () => {
  const dir = await tempDir();
  const dataDir = join(dir, "data");
  alice = join(dir, "alice");
  server = await startNodeServer({ dataDir, port: 0, host: "127.0.0.1" });
  proxy = await startTamperProxy(server.url);
  ok(await runCli(["init", "--name", "Border News", "--desk", "inv=Investigations", "--editor-name", "Alice", "--home", alice, "--data", dataDir, "--server-url", proxy.url]));
  const newsroom = await fetchNewsroom(server.url);
  for (let i = 0; i < 3; i++) {
    const keys = await deriveSourceKeys(newCodenameEntropy(), keyKindOf(newsroom.desks[0]!.recipients[0]!));
    const reply = { recipient: keys.replyRecipient, mailbox: { id: keys.mailboxId, credential: keys.mailboxCredential } };
    const tip = (await submitTip(server.url, `The market in the provincial capital closed (${i})`, [], "inv", { reply })).id;
    sources.push({ pseudonym: pseudonymFor(keys.replyRecipient), tip });
  }
  ok(await runInProcess(["pull", "--home", alice]));
  expect(editorHome(alice).dir).toBe(alice);
}, 180_000);

afterAll(async () => {
  await proxy?.close();
  await server?.close();
});

describe("note writes the source-network model", () => {
  let c1: string;
  it("two sources agreeing through one relay are 1 chain; through two relays, 2 chains", async () => {
    const [s1, s2, s3] = sources as [(typeof sources)[0], (typeof sources)[0], (typeof sources)[0]];
    const relay = (await note(s1.pseudonym, "--new-relay", "Courier A", "--relate", "relays_for:source")).model.relay!;
    await note(s2.pseudonym, "--on", `relay:${relay}`, "--relate", "relays_for:source");
    c1 = (await note(s1.tip, "--new-claim", "Market closed", "--credibility", "3", "--basis", "source_said")).model.claim!;
    const c2 = (await note(s2.tip, "--new-claim", "Market shut down", "--relate", `corroborates:claim:${c1}`)).model.claim!;
    let m = await model();
    expect(m.claims.get(c1)).toMatchObject({ agreeing: [c1, c2].sort(), chains: 1, singleChain: true, credibility: { grade: 3, basis: "source_said" } });
    expect(m.sources.get(s1.pseudonym)!.paths).toEqual([[relay]]);

    const relay2 = (await note(s3.pseudonym, "--new-relay", "Courier B", "--relate", "relays_for:source")).model.relay!;
    const c3 = (await note(s3.tip, "--new-claim", "Market closed again", "--relate", `corroborates:claim:${c1}`)).model.claim!;
    m = await model();
    expect(m.sources.get(s3.pseudonym)!.paths).toEqual([[relay2]]);
    expect(m.claims.get(c3)).toMatchObject({ chains: 2, singleChain: false });
    expect(m.claims.get(c1)).toMatchObject({ chains: 2, corroborates: [c2, c3].sort() });
  });

  it("a contradicting claim is flagged on both claims", async () => {
    const c4 = (await note(sources[2]!.tip, "--new-claim", "Market open as usual", "--relate", `contradicts:claim:${c1}`)).model.claim!;
    const m = await model();
    expect(m.claims.get(c4)).toMatchObject({ contradicts: [c1], contradicted: true });
    expect(m.claims.get(c1)).toMatchObject({ contradicts: [c4], contradicted: true });
  });

  it("a withdrawn tag is gone, and a withdrawn relation no longer counts", async () => {
    const s1 = sources[0]!.pseudonym;
    await note(s1, "--tag", "region:ryanggang", "--tag", "role:trade");
    expect((await model()).sources.get(s1)!.tags).toEqual(["region:ryanggang", "role:trade"]);
    await note(s1, "--untag", "region:ryanggang");
    expect((await model()).sources.get(s1)!.tags).toEqual(["role:trade"]);
    const same = await note(s1, "--relate", `same_group:source:${sources[1]!.pseudonym}`);
    const relateId = same.model.eventIds.find((e) => e.op === "relate")!.id;
    expect((await model()).relations.some((r) => r.event === relateId)).toBe(true);
    await note(s1, "--withdraw", relateId);
    expect((await model()).relations.some((r) => r.event === relateId)).toBe(false);
  });

  it("reliability grades the source, credibility the claim: never mixed", async () => {
    const [s1] = sources;
    await note(s1!.tip, "--reliability", "B");
    const m = await model();
    // Given on a submission, the reliability is the source's, and no claim got a letter.
    expect(m.sources.get(s1!.pseudonym)!.reliability).toMatchObject({ grade: "B" });
    expect(m.claims.get(c1)!.credibility).toMatchObject({ grade: 3 });
    proxy.posted.length = 0;
    const cases: [string[], RegExp][] = [
      [["note", s1!.tip, "--on", `claim:${c1}`, "--reliability", "A"], /reliability \(A–F\) grades a source or a relay.*\(model_grade_target\)/],
      [["note", s1!.pseudonym, "--on", "source", "--credibility", "2"], /credibility \(1–6\) grades a claim.*\(model_grade_target\)/],
      [["note", s1!.pseudonym, "--untag", "region:Hyesan"], /--untag takes a tag of the controlled vocabularies/],
      // A vocabulary's key with a term it does not list (a town, a unit) is refused, not kept as a free note tag.
      [["note", s1!.pseudonym, "--tag", "region:Hyesan"], /region: takes a term of its controlled vocabulary \(pyongyang, .*ryanggang.*\), never a town.*\(note_tag_not_in_vocabulary\)/s],
      [["note", s1!.pseudonym, "--tag", "role:Border guard unit 25"], /role: takes a term.*\(note_tag_not_in_vocabulary\)/s],
      [["note", s1!.tip, "--new-claim", "Meeting planned", "--about", "2999-01-01"], /reaches past today.*\(model_future_day\)/],
      [["note", s1!.pseudonym, "--relate", "same_group:source", "--days", "2026-01-01T10:00"], /never a time of day/],
    ];
    for (const [args, message] of cases) {
      const r = await runInProcess([...args, "--home", alice]);
      expect(r.code, args.join(" ")).not.toBe(0);
      expect(r.stderr).toMatch(message);
    }
    expect(proxy.posted).toEqual([]);
  });

  it("a text or label holding a phone number is not sealed, and nothing reaches the server, until confirmed", async () => {
    proxy.posted.length = 0;
    for (const args of [["--text", "Call her on +82 10 1234 5678 after the market"], ["--new-relay", "Kim @courier_kim"], ["--tag", "contact:+82 10 1234 5678"]]) {
      const r = await runInProcess(["note", sources[0]!.pseudonym, ...args, "--home", alice]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/may identify or locate a person/);
      expect(r.stderr).toMatch(/\(sensitive_text_unconfirmed\)/);
    }
    expect(proxy.posted).toEqual([]);
    ok(await runInProcess(["note", sources[0]!.pseudonym, "--text", "Call her on +82 10 1234 5678 after the market", "--confirm-sensitive", "--home", alice]));
    expect(proxy.posted.map((p) => p.kind)).toEqual(["notes"]);
  });
});
