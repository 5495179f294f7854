// The page without JavaScript as a test reads it: the check question's answer from its words, and the
// server-written HTML picked apart without a browser (tests/server/nojs-flow.test.ts posts the real form).
import { expect } from "vitest";
import type { Catalogue } from "../../src/i18n/en.js";

/** The numbers of a check question as the catalogue writes them: "what is four plus seven?" → 11. */
export function answerOf(labels: Catalogue, question: string): number {
  const words = labels.nojsNumbers.split(" ");
  const [before, after] = labels.nojsQuestion.split("{a}") as [string, string];
  const [middle, end] = after.split("{b}") as [string, string];
  expect(question.startsWith(before) && question.endsWith(end)).toBe(true);
  const [a, b] = question.slice(before.length, question.length - end.length).split(middle);
  const n = (w: string | undefined) => words.indexOf(w ?? "") + 1;
  expect(n(a)).toBeGreaterThan(0);
  expect(n(b)).toBeGreaterThan(0);
  return n(a) + n(b);
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" };

/** Text as the server escaped it (src/server/nojs/html.ts), unescaped. */
export const unescapeHtml = (s: string): string => s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ENTITIES[e]!);

/** The text of every element whose opening tag matches `open` (no nested element of the same name). */
export function textsOf(page: string, tag: string, attributes: string): string[] {
  const re = new RegExp(`<${tag}\\b[^>]*${attributes}[^>]*>([\\s\\S]*?)</${tag}>`, "g");
  return [...page.matchAll(re)].map((m) => unescapeHtml(m[1]!.replace(/<[^>]*>/g, "")));
}

export function textOf(page: string, tag: string, attributes: string): string {
  const all = textsOf(page, tag, attributes);
  expect(all, `<${tag} ${attributes}>`).toHaveLength(1);
  return all[0]!;
}

/** A hidden or text input's value, by name. */
export function inputValue(page: string, name: string): string {
  const m = new RegExp(`<input\\b[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(page);
  expect(m, `input ${name}`).not.toBeNull();
  return unescapeHtml(m![1]!);
}
