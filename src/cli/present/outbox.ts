// What the reading half of a split home says when a reply or note went to its outbox (services/outbox.ts).
import type { Io } from "../io.js";

export function printOutboxed(io: Io, what: string): void {
  io.out(`Sealed ${what} into the outbox (this is the reading half: nothing was sent).`);
  io.out("Carry it to the online half: `sealdrop export --outbox --out FILE` here, then `sealdrop import FILE` there.");
}
