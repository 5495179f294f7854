// Small pieces of the model's analysis (analyze.ts): UTC day arithmetic, quiet windows between contacts,
// and the union-find that groups people, origins and agreeing claims for independence.

// Both are memoized: a desk's model asks for the same few hundred days thousands of times (every
// submission's day, every quiet window's ends), and building a Date for each was most of that work.
const MEMO_LIMIT = 1 << 16;
const numbers = new Map<string, number>();
const strings = new Map<number, string>();
const remember = <K, V>(memo: Map<K, V>, key: K, value: V): V => {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, value);
  return value;
};

export function dayNumber(day: string): number {
  const known = numbers.get(day);
  if (known !== undefined) return known;
  const [y, m, d] = day.split("-").map(Number);
  return remember(numbers, day, Math.round(Date.UTC(y!, m! - 1, d!) / 86_400_000));
}
export const dayString = (n: number): string => strings.get(n) ?? remember(strings, n, new Date(n * 86_400_000).toISOString().slice(0, 10));

export class UnionFind {
  private parent = new Map<string, string>();
  find(x: string): string {
    let root = x;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!;
    // Path compression.
    let node = x;
    while (node !== root) {
      const next = this.parent.get(node) ?? root;
      this.parent.set(node, root);
      node = next;
    }
    if (!this.parent.has(root)) this.parent.set(root, root);
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
}

export function quietWindows(days: readonly string[], today: string, quietDays: number): { from: string; to: string; days: number }[] {
  // One loop, no set: a day given twice makes a gap of -1 days, never a window.
  const numbers = days.map(dayNumber).sort((a, b) => a - b);
  const windows: { from: string; to: string; days: number }[] = [];
  const end = dayNumber(today) + 1;
  for (let i = 0; i < numbers.length; i++) {
    const from = numbers[i]!;
    const to = i + 1 < numbers.length ? numbers[i + 1]! : end;
    const gap = to - from - 1;
    if (gap > quietDays) windows.push({ from: dayString(from + 1), to: dayString(to - 1), days: gap });
  }
  return windows;
}
