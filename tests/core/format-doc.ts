// The `vector:` blocks of docs/FORMAT.md, parsed: the format's contract, which the vector tests check the code against.
import { readFileSync } from "node:fs";

const doc = readFileSync(new URL("../../docs/FORMAT.md", import.meta.url), "utf8");

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function vector(name: string): any {
  const match = new RegExp("```json vector:" + name + "\\n([\\s\\S]*?)```").exec(doc);
  if (!match) throw new Error(`docs/FORMAT.md has no vector:${name}`);
  return JSON.parse(match[1]!);
}
