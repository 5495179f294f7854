// What metadata says about the source, in categories the page can explain in plain words.
export type Finding = "location" | "device" | "time" | "author" | "software" | "other";

export const FINDING_ORDER: readonly Finding[] = ["location", "device", "time", "author", "software", "other"];

export class Findings {
  private readonly set = new Set<Finding>();
  add(...f: Finding[]): void {
    for (const x of f) this.set.add(x);
  }
  list(): Finding[] {
    return FINDING_ORDER.filter((f) => this.set.has(f));
  }
}
