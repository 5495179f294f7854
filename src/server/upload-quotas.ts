// How much room unfinished uploads may take (docs/SECURITY.md, "Storage quotas"). An upload that is never
// completed costs disk until it expires, so the server bounds all of them together (bytes and count) and
// each one (bytes), and drops them after `expiryDays`. Set by the operator: `sealdrop serve` reads the
// environment, the Workers entry its vars; both go through `uploadQuotasFromEnv`.
import { LIMITS } from "../core/wire.js";

export interface UploadQuotas {
  /** Bytes all unfinished uploads may hold together (expired ones count until the sweep drops them). */
  maxPendingBytes: number;
  /** Unfinished uploads that may exist at once. */
  maxPendingUploads: number;
  /** Bytes one upload (one attachment's ciphertext) may hold; at most LIMITS.maxAttachmentBytes. */
  maxUploadBytes: number;
  /** Days an unfinished upload lives: it is dropped between this many and one more day after creation. */
  expiryDays: number;
}

export const DEFAULT_UPLOAD_QUOTAS: UploadQuotas = {
  maxPendingBytes: 16 * 2 ** 30,
  maxPendingUploads: 1000,
  maxUploadBytes: LIMITS.maxAttachmentBytes,
  expiryDays: 2,
};

/** The quotas in force: the operator's settings over the defaults, the per-upload one capped by the protocol's. */
export function resolveUploadQuotas(given: Partial<UploadQuotas> | undefined): UploadQuotas {
  const q = { ...DEFAULT_UPLOAD_QUOTAS, ...given };
  return { ...q, maxUploadBytes: Math.min(q.maxUploadBytes, LIMITS.maxAttachmentBytes) };
}

/** A setting the operator wrote that cannot be used; its message names the variable and what it takes. */
export class QuotaSettingError extends Error {
  override name = "QuotaSettingError";
}

/** The environment variables, with the setting each one sets. */
export const UPLOAD_QUOTA_ENV = {
  SEALDROP_PENDING_UPLOAD_BYTES: "maxPendingBytes",
  SEALDROP_PENDING_UPLOADS: "maxPendingUploads",
  SEALDROP_MAX_ATTACHMENT_BYTES: "maxUploadBytes",
  SEALDROP_UPLOAD_EXPIRY_DAYS: "expiryDays",
} as const satisfies Record<string, keyof UploadQuotas>;

const UNITS: Record<string, number> = { "": 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/** A byte count: digits, optionally followed by K, M, G or T (binary: 1K = 1024 bytes). */
function parseBytes(name: string, text: string): number {
  const m = /^(\d{1,15})([KMGT]?)$/i.exec(text.trim());
  const n = m ? Number(m[1]) * UNITS[m[2]!.toUpperCase()]! : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new QuotaSettingError(`${name} takes a number of bytes such as 500M or 4G, not ${JSON.stringify(text)}`);
  return n;
}

function parseCount(name: string, text: string, max: number): number {
  const n = Number(text.trim());
  if (!/^\d{1,9}$/.test(text.trim()) || n < 1 || n > max) throw new QuotaSettingError(`${name} takes a whole number from 1 to ${max}, not ${JSON.stringify(text)}`);
  return n;
}

/** The quota settings present in `env` (unset or empty variables keep the defaults); throws QuotaSettingError. */
export function uploadQuotasFromEnv(env: { readonly [K in keyof typeof UPLOAD_QUOTA_ENV]?: string | undefined }): Partial<UploadQuotas> {
  const out: Partial<UploadQuotas> = {};
  for (const [name, key] of Object.entries(UPLOAD_QUOTA_ENV) as [keyof typeof UPLOAD_QUOTA_ENV, keyof UploadQuotas][]) {
    const text = env[name];
    if (text === undefined || text.trim() === "") continue;
    if (key === "maxPendingUploads") out[key] = parseCount(name, text, 1_000_000);
    else if (key === "expiryDays") out[key] = parseCount(name, text, 365);
    else out[key] = parseBytes(name, text);
  }
  if (out.maxUploadBytes !== undefined && out.maxUploadBytes > LIMITS.maxAttachmentBytes) {
    throw new QuotaSettingError(`SEALDROP_MAX_ATTACHMENT_BYTES can be at most ${LIMITS.maxAttachmentBytes / 2 ** 30}G (the protocol's limit)`);
  }
  return out;
}
