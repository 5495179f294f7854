// A job run every few minutes for the life of the Node server: one run at a time (a tick that finds the
// last run still going is skipped), never keeping the process alive (the timer is unref'd), and stopped
// with the server. A failed run is reported on stderr by the error's name only (its message could carry
// a path or data), and the next run tries again.
export interface Periodic {
  /** Clears the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

export function runEvery(minutes: number, what: string, job: () => Promise<unknown>): Periodic {
  let current: Promise<void> | null = null;
  let stopped = false;
  const timer = setInterval(() => {
    if (current || stopped) return;
    current = (async () => {
      try {
        await job();
      } catch (e) {
        console.error(`sealdrop: ${what} failed (${(e as Error)?.name ?? "error"})`);
      } finally {
        current = null;
      }
    })();
  }, minutes * 60_000);
  timer.unref();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await current;
    },
  };
}
