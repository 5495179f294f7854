// Sealing a note, reply or triage note (docs/FORMAT.md "Signed notes and replies"): the one place where the CLI signs
// what an editor writes and encrypts it. It takes a roster the caller has verified and the author's signing
// key, nothing else, so it serves the online `note` and `reply` commands (roster fetched and checked this
// session) and an offline reading machine alike (the roster its home pinned or its bundle carried). The
// recipients come from that roster only (services/recipients.ts), the signature names exactly them, and
// the file is encrypted to exactly them; the result is checked against the same roster before it is
// handed back, so nothing leaves that a colleague's reader would show as unverified.
import sodium from "libsodium-wrappers-sumo";
import { findEditor, type RosterHead, type SignFn, type VerifiedRoster } from "../../core/roster.js";
import { type DeskMessage, type MessageSignature, sealSigned, signMessage, verifyMessage } from "../../core/signed-message.js";
import type { SigningEditor } from "../editor.js";
import { CliError } from "../errors.js";
import { messageAudience } from "./recipients.js";

/** Signs with a libsodium Ed25519 secret key (seed ‖ public key), as every editor key file holds. */
export const sodiumSigner =
  (secretKey: Uint8Array): SignFn =>
  async (message) => {
    await sodium.ready;
    return sodium.crypto_sign_detached(message, secretKey);
  };

/** Who signs: an editor id in the roster and that editor's signing key. */
export interface MessageAuthor {
  editorId: string;
  signSecretKey: Uint8Array;
}
export const messageAuthor = (editor: Pick<SigningEditor, "header" | "secrets">): MessageAuthor => ({ editorId: editor.header.editorId, signSecretKey: editor.secrets.signSecretKey });

export interface SealedMessage {
  /** The age file: the signed JSON, padded, encrypted to exactly `recipients`. */
  ciphertext: Uint8Array;
  desk: string;
  /** Sorted and unique, as the signature names them. */
  recipients: string[];
  /** The roster head the signature names. */
  roster: RosterHead;
  sig: MessageSignature;
}

/**
 * Signs `message` as `author` for `desk` and seals it to that desk's editors in `roster` (for a reply, and
 * to the source `message.to`). A note's `author` is set to the name the roster gives the signer. Refuses an
 * author who is not an active editor of the desk (services/recipients.ts), and a signing key that is not
 * the one the roster names for them (`sign_key_mismatch`: a stale key file, or a rotation not yet applied).
 */
export async function sealMessage(roster: VerifiedRoster, author: MessageAuthor, message: DeskMessage, desk: string): Promise<SealedMessage> {
  const audience = messageAudience(roster, author.editorId, desk, message.kind === "reply" ? message.to : undefined);
  const named = findEditor(roster.state, author.editorId)!;
  const body: DeskMessage = message.kind === "note" ? { ...message, author: named.name } : message;
  const signed = await signMessage(body, { author: author.editorId, desk, recipients: audience.recipients, roster: audience.roster }, sodiumSigner(author.signSecretKey));
  const check = verifyMessage(signed, roster);
  if (check.status !== "verified") {
    if (check.reason === "bad_signature") {
      throw new CliError(
        "your signing key is not the one the newsroom's roster names for you, so colleagues could not verify what you write; use the key file of your latest rotation",
        1,
        "sign_key_mismatch",
      );
    }
    throw new CliError(`the message would not verify against the roster (${check.reason})`, 1, check.reason);
  }
  return { ciphertext: await sealSigned(signed), desk, recipients: signed.sig.recipients, roster: signed.sig.roster, sig: signed.sig };
}
