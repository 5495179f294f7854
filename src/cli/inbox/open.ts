// What `sealdrop inbox` does once its options are parsed and the key's derivation has started
// (unlock-early.ts): unlock (reading the vault's listing and index file meanwhile: index/prefetch.ts),
// serve the page and print its address, then open the desk from the vault's index while the browser
// loads the page: the page's first request for data waits for the desk (routes.ts), so loading the page
// and reading the index overlap. A desk that does not open ends the command with why, as before.
import type { Io } from "../io.js";
import { printUnreadable } from "../present/sources.js";
import { unlockWithDesk } from "../index/prefetch.js";
import { connect, type HomeValues } from "../unlock.js";
import { InboxData } from "./data.js";
import { inboxRoutes } from "./routes.js";
import { startInboxServer } from "./server.js";

export async function openInbox(io: Io, values: HomeValues & { server?: string | undefined }, options: { port: number; stopRequested: Promise<unknown>; assetsDir: string }): Promise<void> {
  const { unlocked, early } = await unlockWithDesk(io, values);
  const session = connect(io, unlocked, values.server);
  // Listening first (a port in use is said at once), then the desk: the routes wait on `desk` meanwhile.
  let openDesk!: (opening: Promise<InboxData>) => void;
  const desk = new Promise<InboxData>((resolve) => (openDesk = resolve));
  const server = await startInboxServer({
    port: options.port,
    mount: inboxRoutes({ data: desk, session: () => session, assetsDir: options.assetsDir }),
    onFault: (e) => io.err(`inbox: ${(e as Error).name}: ${(e as Error).message}`),
  }).catch(async (e: unknown) => {
    await early?.vault.close(); // read ahead for the desk, which is not opened now
    throw e;
  });
  const opening = InboxData.open(unlocked, early);
  openDesk(opening);
  try {
    io.out(server.url);
    const data = await Promise.race([opening, options.stopRequested.then(() => null)]);
    if (data === null) {
      // Stopped while the desk was still opening: let it finish (the index is written whole), then go.
      await opening.catch(() => {});
      return;
    }
    printUnreadable(io, data.desk);
    io.err("The inbox is open at the address above (this machine only). Stop it with Ctrl-C.");
    await options.stopRequested;
  } finally {
    await server.close();
  }
}
