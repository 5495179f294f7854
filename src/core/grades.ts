// The two assessment scales (the Admiralty system): reliability grades people, credibility grades information.
export const RELIABILITY = ["A", "B", "C", "D", "E", "F"] as const;
export const CREDIBILITY = [1, 2, 3, 4, 5, 6] as const;
