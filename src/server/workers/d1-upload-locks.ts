// Upload "locks" for Cloudflare Workers (upload-locks.ts): none. Isolates share nothing but D1 and R2, and
// D1 holds nothing between statements (no BEGIN, no advisory lock; a batch is atomic but cannot wait on a
// read), so a lock taken here would serialise one isolate's requests and not another's. Instead every
// final write of the work is one conditional statement, which D1 runs one at a time:
// - a part (routes/uploads.ts) is stored under a fresh name in R2, then counted by
//   `UPDATE uploads … WHERE id = ? AND parts = <its number> AND sealed = 0`; the attempt whose UPDATE
//   changed no row lost to another one, deletes its own object and is refused like any part out of order;
// - a submission (submission-store.ts) seals each upload on the part count it read (no part is counted
//   after that), and its commit takes each attachment's size from the upload's row, which a rival that
//   committed first has deleted: NULL, refused by the column, so the whole batch rolls back.
import type { LockedStores, UploadLocks } from "../upload-locks.js";

/** The app's own stores, with no lock around the work: its statements are conditional instead. */
export function conditionalUploads(stores: LockedStores): UploadLocks {
  return { run: (_keys, work) => work(stores) };
}
