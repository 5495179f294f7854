// Limits of a submission that the page checks before any work and the envelope schema enforces. Apart
// from envelope.ts so the page can check a tip without loading the encryption code (a slow link shows the
// form first, the cipher follows).
export const MAX_MESSAGE_CHARS = 100_000;
export const MAX_ATTACHMENTS = 20;
