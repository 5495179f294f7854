// English: the reference catalogue. Its keys define `MessageKey`; every other catalogue must have exactly
// these keys (tsc rejects a missing or extra one). `{name}` marks a value filled in by `format`.
export const en = {
  languageName: "English",
  pageTitle: "Send a tip securely",
  languageNav: "Language",
  loading: "Loading…",
  loadFailed: "This page could not reach the newsroom. Check your connection and reload the page.",
  insecureConnection: "This page was not opened over a secure connection, so it cannot protect your tip. Do not send anything from it. Use the newsroom's https:// or .onion address.",

  intro: "{newsroom} receives tips here. Your message and files are encrypted in this browser before they leave it: the server stores only what it cannot read.",
  fingerprintHeading: "Check the newsroom's key",
  fingerprintHelp: "Compare this fingerprint with the one {newsroom} publishes elsewhere, for example in print, on its website or through a person you trust. If they are not the same, do not send anything.",
  fingerprintMismatch: "Warning: the keys this page received do not match the fingerprint. Do not send anything. Try again later or through another way of reaching the newsroom.",
  noDesks: "This newsroom is not accepting tips yet.",
  safetyAdvice: "Be careful: do not write your name or anything that could identify you unless you choose to. Photos and documents can contain hidden details, such as where and when they were made or which device made them.",

  formHeading: "Your tip",
  deskLabel: "Who should receive it",
  messageLabel: "Message",
  messageHelp: "Write what you saw or know. You can send a message, files, or both.",
  filesLabel: "Files (optional)",
  filesHelp: "Up to {max} in total.",
  chooseFiles: "Choose files",
  noFilesChosen: "No file chosen.",
  fileChosen: "{name} ({size})",
  submit: "Encrypt and send",

  progressLabel: "Progress",
  statusReading: "Reading file {n} of {total}…",
  statusEncryptingFile: "Encrypting file {n} of {total}…",
  statusUploadingFile: "Sending file {n} of {total}…",
  statusEncryptingMessage: "Encrypting your message…",
  statusSending: "Sending your message…",

  errorEmpty: "Write a message or choose a file.",
  errorFilesTooLarge: "The files are too large: {size} in total. The limit is {max}.",
  errorFileTooLarge: "The file “{name}” is too large. The limit is {max}.",
  errorTooManyFiles: "Too many files: you can send up to {max} at once.",
  errorMessageTooLong: "The message is too long: it can have up to {max} characters.",
  errorFileUnreadable: "The file “{name}” could not be read. Choose it again and retry.",
  errorNetwork: "The connection failed. Nothing is lost: your message is still here. Try again.",
  errorGeneric: "Something went wrong ({code}). Nothing is lost: your message is still here. Try again.",
  errorKept: "Your message and files are still in the form.",
  error_payload_too_large: "What you are sending is too large for the server. Remove a file or shorten the message, then try again.",
  error_unknown_desk: "The chosen recipient no longer exists. Reload the page and try again.",
  error_rate_limited: "The server is busy. Wait a few minutes, then try again.",
  error_upload_incomplete: "A file did not arrive completely. Try again.",
  error_upload_conflict: "A file upload was interrupted. Try again.",
  error_invalid_ciphertext: "The server could not accept the encrypted data. Reload the page and try again.",
  error_proof_of_work_required: "The server asks for an extra check this page cannot do yet. Try again later.",

  receiptHeading: "Your tip was received and encrypted",
  receiptIdLabel: "Receipt number",
  receiptHelp: "Only the newsroom can read it. The form has been cleared from this page.",
  receiptCleanup: "If you share this device, close this browser window now.",
  sendAnother: "Send another tip",

  sizeMegabytes: "{n} MB",
  noscript:
    "This page needs JavaScript, because your tip is encrypted inside your browser before it is sent. In Tor Browser at the “Safest” security level, JavaScript is off: click the shield icon, choose “Safer” for this site, and reload the page.",
} as const satisfies Record<string, string>;

export type MessageKey = keyof typeof en;
/** A complete translation: exactly the English keys, each a string. */
export type Catalogue = { readonly [K in MessageKey]: string };
