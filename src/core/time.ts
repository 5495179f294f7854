// Stored times are coarse: a UTC day, never an instant (invariant 3, docs/INVARIANTS.md).
export const coarseDay = (now: Date): string => now.toISOString().slice(0, 10);

/** Whether `text` is a day `coarseDay` could have written: YYYY-MM-DD, and a date the calendar has. */
export function isUtcDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}
