// The check question of the page without JavaScript (docs/SECURITY.md, "The page without JavaScript"):
// a sum of two numbers written as words in the page's language, answered in digits. Stateless: the form
// carries a token `q1.<nonce>.<expires>.<mac>` whose MAC binds the answer, so the token alone does not
// reveal it and the server keeps nothing per question. A token is spent on its first use, right or wrong:
// one guess per question. A tip's token in the proof-of-work table of spent seeds (so every process sees
// it); a mailbox opening's in memory only, as the page's mailbox fetches: the `reads` tier of the budget
// stores (middleware/budget-store.ts; on Workers the Durable Object every isolate asks): a row would be the
// one write a mailbox opening leaves, and would date it.
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { Kysely } from "kysely";
import { equalBytes, fromBase64Url, randomBytes, toBase64Url, utf8 } from "../../core/bytes.js";
import type { Database } from "../db/schema.js";
import { serverSecret } from "../db/server-secrets.js";
import { MemoryBudgets, type SpentSeeds } from "../middleware/budget-store.js";
import { SpentInDatabase } from "../middleware/pow.js";

export interface Question {
  /** The two numbers to add, 1 to 9 each. */
  a: number;
  b: number;
  /** Goes in the form's hidden `challenge` field. */
  token: string;
}

export type Verdict = "ok" | "wrong" | "expired";

export interface ChallengeOptions {
  db: Kysely<Database>;
  now: () => Date;
  /** How long a question stays answerable: the time to write a tip. */
  lifetimeSeconds?: number;
  /** Where mailbox openings' tokens are spent (memory only); default this process's. */
  spentInMemory?: SpentSeeds | undefined;
}

const randomDigit = (): number => 1 + (randomBytes(1)[0]! % 9);

/** What a person typed, as a number: ASCII or full-width digits, spaces around them allowed. */
export function parseAnswer(text: string): number | null {
  const folded = text.normalize("NFKC").trim();
  return /^\d{1,3}$/.test(folded) ? Number(folded) : null;
}

export class Challenges {
  private keyPromise: Promise<Uint8Array> | undefined;
  private readonly lifetime: number;
  private readonly spent: SpentInDatabase;
  private readonly spentInMemory: SpentSeeds;

  constructor(private readonly options: ChallengeOptions) {
    this.lifetime = options.lifetimeSeconds ?? 2 * 3600;
    this.spent = new SpentInDatabase(options.db);
    this.spentInMemory = options.spentInMemory ?? new MemoryBudgets();
  }

  /** A random key made once per deployment and kept in the database, like the proof of work's. */
  private key(): Promise<Uint8Array> {
    return (this.keyPromise ??= (async () => sha256(utf8(`sealdrop-nojs-question-key\n${await serverSecret(this.options.db, "nojs-question")}`)))().catch((err: unknown) => {
      this.keyPromise = undefined;
      throw err;
    }));
  }

  private nowSeconds(): number {
    return Math.floor(this.options.now().getTime() / 1000);
  }

  private async mac(signed: string, answer: number): Promise<string> {
    return toBase64Url(hmac(sha256, await this.key(), utf8(`${signed}.${answer}`)));
  }

  async issue(): Promise<Question> {
    const a = randomDigit();
    const b = randomDigit();
    const signed = `q1.${toBase64Url(randomBytes(16))}.${this.nowSeconds() + this.lifetime}`;
    return { a, b, token: `${signed}.${await this.mac(signed, a + b)}` };
  }

  /**
   * Judges an answer and spends the token, whatever the verdict; a token seen before is "expired".
   * `spentIn` "memory" for requests that store nothing (mailbox openings); with no room left there, "expired".
   */
  async check(token: string, answer: string, spentIn: "database" | "memory"): Promise<Verdict> {
    const m = /^(q1\.([A-Za-z0-9_-]{22})\.(\d{1,12}))\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) return "expired";
    const [, signed, nonce, expiresText, mac] = m as unknown as [string, string, string, string, string];
    const now = this.nowSeconds();
    const expires = Number(expiresText);
    if (expires < now) return "expired";
    // Spent before it is judged, so no token is ever tried twice; the stored expiry is capped, so a made-up
    // token cannot keep a row for long, and rounded up to five minutes, so no exact time is kept.
    const until = Math.min(expires, now + this.lifetime);
    const fresh = spentIn === "memory" ? (await this.spentInMemory.spend(`nojs.${nonce}`, until, now)) === "fresh" : await this.spent.spend(`nojs.${nonce}`, until, now);
    if (!fresh) return "expired";
    const value = parseAnswer(answer);
    if (value === null) return "wrong";
    return equalBytes(fromBase64Url(mac), fromBase64Url(await this.mac(signed, value))) ? "ok" : "wrong";
  }
}
