// What `sealdrop inbox` does once its options are parsed and the key's derivation has started
// (unlock-early.ts): unlock (reading the vault's listing and index file meanwhile: index/prefetch.ts),
// open the desk from the vault's index, serve the page, print its address.
import type { Io } from "../io.js";
import { printUnreadable } from "../present/sources.js";
import { unlockWithDesk } from "../index/prefetch.js";
import { connect, type HomeValues } from "../unlock.js";
import { InboxData } from "./data.js";
import { inboxRoutes } from "./routes.js";
import { startInboxServer } from "./server.js";

export async function openInbox(io: Io, values: HomeValues & { server?: string | undefined }, options: { port: number; stopRequested: Promise<unknown>; assetsDir: string }): Promise<void> {
  const { unlocked, early } = await unlockWithDesk(io, values);
  const data = await InboxData.open(unlocked, early);
  printUnreadable(io, data.desk);
  const session = connect(io, unlocked, values.server);
  const server = await startInboxServer({
    port: options.port,
    mount: inboxRoutes({ data, session: () => session, assetsDir: options.assetsDir }),
    onFault: (e) => io.err(`inbox: ${(e as Error).name}: ${(e as Error).message}`),
  });
  try {
    io.out(server.url);
    io.err("The inbox is open at the address above (this machine only). Stop it with Ctrl-C.");
    await options.stopRequested;
  } finally {
    await server.close();
  }
}
