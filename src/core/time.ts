// Stored times are coarse: a UTC day, never an instant (DESIGN invariant 3).
export const coarseDay = (now: Date): string => now.toISOString().slice(0, 10);
