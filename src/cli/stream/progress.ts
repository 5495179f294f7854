// Progress bars on stderr for long pulls and decryptions. At a terminal the bar redraws in place
// (percentage, speed, time left); otherwise, e.g. in a log, one line per quarter, so output stays short.
import type { Io } from "../io.js";

export interface Progress {
  update(done: number): void;
  finish(): void;
}

const MB = 1024 * 1024;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--:--";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

/** The line a bar shows: `label [=====>    ]  42%  180.3 MB/s  00:07 left`. */
export function progressLine(label: string, done: number, total: number, seconds: number, width = 24): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * width);
  const bar = "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? (fraction >= 1 ? "=" : ">") : "") + " ".repeat(width - filled);
  const speed = seconds > 0 ? done / seconds : 0;
  const left = speed > 0 ? (total - done) / speed : Infinity;
  return `${label} [${bar}] ${String(Math.floor(fraction * 100)).padStart(3)}%  ${(speed / MB).toFixed(1)} MB/s  ${duration(left)} left`;
}

/** A bar for `total` bytes; silent for small items (under `minBytes`), where it would only flicker. */
export function startProgress(io: Io, label: string, total: number, options: { minBytes?: number; now?: () => number } = {}): Progress {
  const now = options.now ?? (() => performance.now());
  if (total < (options.minBytes ?? 16 * MB)) return { update() {}, finish() {} };
  const started = now();
  const tty = io.interactive && process.stderr.isTTY === true;
  let lastDraw = 0;
  let lastQuarter = 0;
  let last = 0;
  const elapsed = () => (now() - started) / 1000;
  return {
    update(done) {
      last = done;
      if (tty) {
        const t = now();
        if (t - lastDraw < 200) return;
        lastDraw = t;
        process.stderr.write(`\r${progressLine(label, done, total, elapsed())}\x1b[K`);
      } else {
        const quarter = Math.floor((4 * done) / total);
        if (quarter > lastQuarter && quarter < 4) {
          lastQuarter = quarter;
          io.err(progressLine(label, done, total, elapsed()));
        }
      }
    },
    finish() {
      const line = progressLine(label, Math.max(last, total), total, elapsed());
      if (tty) process.stderr.write(`\r${line}\x1b[K\n`);
      else io.err(line);
    },
  };
}
