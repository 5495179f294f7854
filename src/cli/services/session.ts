// What every service works with: an editor whose key is already unlocked, their home (key, vault,
// attachments folder), and a client that signs as them. How the key gets unlocked (a passphrase from the
// environment, a file or a prompt) is the caller's business: the command line does it in ../unlock.ts.
import { SealdropApi } from "../api.js";
import type { Editor, SigningEditor } from "../editor.js";
import type { EditorHome } from "../home.js";
import type { SplitHalf } from "../split.js";
import { Vault } from "../vault.js";
import { checkServerRoster, type RosterCheck } from "./roster.js";

/** An editor home whose key is unlocked: enough for everything that works offline on the vault. */
export interface UnlockedHome {
  home: EditorHome;
  editor: Editor;
  /** Which half of a split home this is (../split.ts); null or absent for a whole home. */
  half?: SplitHalf | null;
}

/** A home whose signing key is unlocked: the online half of a split home has no more than this. */
export interface SigningHome {
  home: EditorHome;
  editor: SigningEditor;
  half?: SplitHalf | null;
}

/**
 * What services ask of the server. Normally the signed HTTP client; on the reading half of a split home,
 * the outbox (services/outbox.ts), which keeps what would be posted and refuses everything else.
 */
export type ApiClient = Pick<SealdropApi, "base" | "get" | "post" | "delete" | "stream" | "download">;

/** An unlocked home and a client that signs as its editor: for everything that talks to the server. */
export interface EditorSession extends SigningHome {
  api: ApiClient;
  /** True on the reading half: what `api.post` sends goes to the outbox, and nothing reaches a server. */
  outbox?: boolean;
  /**
   * The server's roster, verified from the root this home pinned and extending what it verified before
   * (services/roster.ts); null for a newsroom that has no roster yet. Checked once per session: every
   * service that relies on the server calls it first, so a lying server is refused before anything is done.
   */
  roster(refresh?: boolean): Promise<RosterCheck | null>;
}

export interface SessionOptions {
  /** Told once per session when the roster has entries this home had not seen (the command line prints them). */
  onRosterChange?: (check: RosterCheck) => void;
}

/** A session for an unlocked editor, talking to `server` or else to the server named in their key. */
export function editorSession({ home, editor }: SigningHome, server?: string, options: SessionOptions = {}): EditorSession {
  const api = new SealdropApi(server ?? editor.header.server, { editorId: editor.header.editorId, signSecretKey: editor.secrets.signSecretKey });
  let checked: Promise<RosterCheck | null> | undefined;
  const roster = (refresh = false) => {
    if (refresh) checked = undefined;
    return (checked ??= checkServerRoster(home, api.base).then((check) => {
      if (check && check.changes.length > 0) options.onRosterChange?.(check);
      return check;
    }));
  };
  return { home, editor, api, roster };
}

/** Plain http is fine on loopback and onion services (Tor encrypts); elsewhere it exposes metadata. */
export function exposesMetadata(base: string): boolean {
  const url = new URL(base);
  if (url.protocol !== "http:") return false;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return !(host === "localhost" || host === "::1" || /^127\./.test(host) || host.endsWith(".onion"));
}

/** Opens the home's vault (or takes one already `opened`) for the length of `fn`, and always closes it. */
export async function withVault<T>(home: EditorHome, fn: (vault: Vault) => Promise<T>, opened?: Vault): Promise<T> {
  const vault = opened ?? (await Vault.open(home.vaultFile));
  try {
    return await fn(vault);
  } finally {
    await vault.close();
  }
}

/** A progress display for `total` bytes of long work; services report through it and never print. */
export type ProgressSink = (label: string, total: number) => { update(done: number): void; finish(): void };
export const noProgress: ProgressSink = () => ({ update() {}, finish() {} });
