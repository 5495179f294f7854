// Operator log lines for failures that can repeat many times a second (a database down, a disk full): the
// first line at once, then at most one per interval, which counts the failures in between. The caller
// builds the line from the failure's code alone, never from anything about a request.
export function throttledLog(intervalMs: number, line: (code: string, skipped: number) => string, log: (line: string) => void = (l) => console.error(l)): (code: string) => void {
  let last = -Infinity;
  let skipped = 0;
  return (code) => {
    const now = Date.now();
    if (now - last < intervalMs) {
      skipped++;
      return;
    }
    log(line(code, skipped));
    last = now;
    skipped = 0;
  };
}
