// Speed and time left for a progress bar: bytes over a sliding window of recent samples, so a stall or a
// burst shows within seconds, not averaged over the whole upload.
export interface Reading {
  fraction: number;
  /** Bytes per second over the window; 0 until there are two samples. */
  speed: number;
  /** Seconds left at that speed; Infinity when unknown. */
  secondsLeft: number;
}

export class ProgressMeter {
  private samples: { t: number; bytes: number }[] = [];

  constructor(
    private readonly windowMs = 5000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  read(done: number, total: number): Reading {
    const t = this.now();
    this.samples.push({ t, bytes: done });
    while (this.samples.length > 2 && t - this.samples[0]!.t > this.windowMs) this.samples.shift();
    const first = this.samples[0]!;
    const seconds = (t - first.t) / 1000;
    const speed = seconds > 0 ? Math.max(0, (done - first.bytes) / seconds) : 0;
    return {
      fraction: total > 0 ? Math.min(1, done / total) : 1,
      speed,
      secondsLeft: speed > 0 ? Math.max(0, (total - done) / speed) : Infinity,
    };
  }
}

/** "1:02:03", "4:05" or "0:09". */
export function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return "–";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}
