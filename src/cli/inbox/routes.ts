// The inbox's routes: the page and its assets from the build, and the JSON the page draws from. Every
// body is parsed by a schema; what a route cannot do is a CliError with a stable code (server.ts).
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Hono } from "hono";
import { z } from "zod";
import { MESSAGE_LIMITS } from "../../core/messages.js";
import { openAttachment } from "../decrypt.js";
import { editorIdentities } from "../editor.js";
import { CliError } from "../errors.js";
import { readSubmission } from "../services/attachments.js";
import { sendReply } from "../services/replies.js";
import type { EditorSession } from "../services/session.js";
import { withVault } from "../services/session.js";
import { PREVIEW_TYPES } from "./conversation.js";
import { type InboxData, STATUSES } from "./data.js";
import { PREVIEW_CSP } from "./guard.js";
import { type RosterSeen, rosterAlert, markRosterSeen } from "./roster-alert.js";
import { InboxNotFound, InboxOpening, type Mount } from "./server.js";

export interface InboxContext {
  /** The desk, or its opening: the address is printed while the vault is still being read (open.ts), and every API request waits for it. */
  data: InboxData | Promise<InboxData>;
  /** Where replies go: the server, or on the reading half of a split home its outbox. */
  session: () => EditorSession;
  /** The built page: index.html and assets/ (scripts/build-inbox.ts). */
  assetsDir: string;
  /** How long a request waits for the desk before it is answered inbox_opening (default OPENING_WAIT_MS). */
  openingWaitMs?: number;
}

/** Previews decrypt in memory: only attachments the vault keeps whole, up to this size. */
const MAX_PREVIEW_BYTES = 16 << 20;
const ASSET = /^[a-z0-9-]+\.(js|css)$/;
const ASSET_TYPES: Record<string, string> = { js: "text/javascript; charset=utf-8", css: "text/css; charset=utf-8" };

const replyBody = z.object({ message: z.string().min(1).max(MESSAGE_LIMITS.maxReplyChars), submission: z.string().regex(/^[0-9a-f]{32}$/).optional() }).strict();
const seenBody = z.object({ seq: z.number().int().nonnegative(), hash: z.string().regex(/^[0-9a-f]{64}$/) }).strict();
const saveBody = z.object({ submission: z.string().regex(/^[0-9a-f]{32}$/) }).strict();
const triageBody = z.union([
  z.object({ op: z.enum(["star", "unstar", "read", "unread"]) }).strict(),
  z.object({ op: z.literal("status"), status: z.enum(STATUSES) }).strict(),
]);

const MAGIC: Record<string, (b: Uint8Array) => boolean> = {
  "image/png": (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47,
  "image/jpeg": (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  "image/gif": (b) => b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46,
  "image/webp": (b) => b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45,
};

interface SaveJob {
  state: "running" | "done" | "failed";
  done: number;
  total: number;
  folder: string | null;
  saved: { name: string; savedAs: string | null; error?: string }[];
  error?: string;
}

async function parse<T>(schema: z.ZodType<T>, request: Request): Promise<T> {
  let raw: unknown;
  try {
    raw = await request.json();
  } catch {
    throw new CliError("the request body is not JSON", 1, "inbox_bad_request");
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new CliError(`the request is not of the expected shape: ${parsed.error.issues[0]?.message ?? ""}`, 1, "inbox_bad_request");
  return parsed.data;
}

/** How long a request waits for the desk to open before it is answered inbox_opening (and asked again). */
const OPENING_WAIT_MS = 10_000;

export function inboxRoutes(context: InboxContext): Mount {
  let data!: InboxData;
  let isOpen = false;
  const ready = Promise.resolve(context.data).then((d) => void ((data = d), (isOpen = true)));
  ready.catch(() => {}); // open.ts reports a desk that did not open; a request meanwhile gets inbox_failed
  const jobs = new Map<string, SaveJob>();
  const unlocked = () => context.session();
  return (app, { token }) => {
    // After the guard (server.ts): a request without the token is refused at once, not after the wait.
    // A first indexing can take minutes, longer than a browser waits for an answer: a request waits a
    // while, then is told to ask again (the page does at once), so none is left hanging.
    app.use("/api/*", async (_c, next) => {
      if (!isOpen) {
        let timer: NodeJS.Timeout | undefined;
        const opened = await Promise.race([ready.then(() => true), new Promise<false>((done) => (timer = setTimeout(() => done(false), context.openingWaitMs ?? OPENING_WAIT_MS)))]).finally(() => clearTimeout(timer));
        if (!opened) throw new InboxOpening();
      }
      await next();
    });
    app.get("/", async (c) => {
      let html: string;
      try {
        html = await readFile(join(context.assetsDir, "index.html"), "utf8");
      } catch {
        throw new CliError(`the inbox page is not built (${context.assetsDir}); run \`npm run build\``, 1, "inbox_not_built");
      }
      // The token is base64url: it goes into the asset addresses as it is.
      return c.html(html.replaceAll("__SEALDROP_TOKEN__", token));
    });
    // No icon: an empty answer, so the browser does not ask again without the token.
    app.get("/favicon.ico", (c) => c.body(null, 204));
    app.get("/assets/:file", async (c) => {
      const file = c.req.param("file");
      const m = ASSET.exec(file);
      if (!m) throw new InboxNotFound("such asset");
      let body: Buffer;
      try {
        body = await readFile(join(context.assetsDir, "assets", file));
      } catch {
        throw new InboxNotFound("such asset");
      }
      return c.body(new Uint8Array(body), 200, { "Content-Type": ASSET_TYPES[m[1]!]! });
    });

    app.get("/api/summary", async (c) => {
      const session = unlocked();
      const drawing = existsSync(join(context.assetsDir, "assets", "graph.js"));
      return c.json({ ...data.summary(), outbox: session.outbox === true, drawing, rosterAlert: await rosterAlert(session.home, data.verifiedRoster) });
    });
    app.post("/api/refresh", async (c) => {
      await data.refresh();
      return c.json({ ok: true });
    });
    app.post("/api/roster/seen", async (c) => {
      const seen: RosterSeen = await parse(seenBody, c.req.raw);
      await markRosterSeen(unlocked().home, data.verifiedRoster, seen);
      return c.json({ ok: true });
    });
    app.get("/api/sources/:pseudonym", (c) => c.json(data.dossier(c.req.param("pseudonym"))));
    app.get("/api/network", (c) => c.json(data.network()));
    app.get("/api/search", (c) => c.json({ hits: data.search(c.req.query("q") ?? "") }));

    app.post("/api/sources/:pseudonym/reply", async (c) => {
      const body = await parse(replyBody, c.req.raw);
      const pseudonym = c.req.param("pseudonym");
      const to = body.submission ?? pseudonym;
      if (body.submission) data.submission(pseudonym, body.submission);
      const session = unlocked();
      const sent = await sendReply(session, data.desk, { to, message: body.message });
      await data.refresh();
      return c.json({ id: sent.id, day: sent.day, outbox: session.outbox === true });
    });

    // Triage: queued here on each click, shared with the desk only when the editor says so (one note per desk).
    app.post("/api/sources/:pseudonym/triage", async (c) => {
      const change = await parse(triageBody, c.req.raw);
      return c.json({ pending: await data.queueTriage(c.req.param("pseudonym"), change) });
    });
    app.post("/api/triage/share", async (c) => {
      const session = unlocked();
      const notes = await data.shareTriage(session);
      return c.json({ notes, outbox: session.outbox === true });
    });

    app.get("/api/preview/:pseudonym/:submission/:position", async (c) => {
      const s = data.submission(c.req.param("pseudonym"), c.req.param("submission"));
      const position = Number(c.req.param("position"));
      const manifest = Number.isInteger(position) ? s.envelope.attachments[position] : undefined;
      if (!manifest) throw new InboxNotFound("such attachment");
      const type = PREVIEW_TYPES[manifest.type.toLowerCase()];
      if (!type) throw new CliError("only PNG, JPEG, GIF and WebP pictures are previewed; save the file to look at it", 1, "inbox_no_preview");
      if (manifest.size > MAX_PREVIEW_BYTES) throw new CliError("this picture is too large to preview; save it to a folder", 1, "inbox_no_preview");
      const stored = await withVault(unlocked().home, async (vault) => (await vault.attachments(s.id)).find((a) => a.position === position));
      const opened = await openAttachment(stored, manifest, editorIdentities(data.editor));
      if (!opened.ok) throw new CliError(opened.reason, 1, "inbox_attachment_unreadable");
      // The bytes must be the picture the type says, or the browser is asked to draw something else.
      if (!MAGIC[type]!(opened.plaintext)) throw new CliError("this file is not the picture its type says; save it instead of previewing", 1, "inbox_no_preview");
      return c.body(new Uint8Array(opened.plaintext), 200, { "Content-Type": type, "Content-Security-Policy": PREVIEW_CSP, "Content-Disposition": "inline" });
    });

    app.post("/api/save", async (c) => {
      const { submission } = await parse(saveBody, c.req.raw);
      const s = data.desk.desk.submissions.find((x) => x.id === submission);
      if (!s) throw new InboxNotFound("such submission");
      const id = randomBytes(12).toString("hex");
      const job: SaveJob = { state: "running", done: 0, total: s.envelope.attachments.reduce((n, a) => n + a.size, 0), folder: null, saved: [] };
      jobs.set(id, job);
      const progress = (_label: string, _total: number) => ({ update: (n: number) => void (job.done = Math.min(job.total, n)), finish() {} });
      void readSubmission({ home: unlocked().home, editor: data.editor }, submission, { progress }).then(
        (read) => {
          job.saved = read.attachments.map((a) => ({ name: a.name, savedAs: a.savedAs, ...(a.error ? { error: a.error } : {}) }));
          job.folder = read.attachments.find((a) => a.savedAs)?.savedAs?.replace(/[/\\][^/\\]*$/, "") ?? null;
          job.done = job.total;
          job.state = "done";
        },
        (e: unknown) => {
          job.state = "failed";
          job.error = e instanceof CliError ? e.message : "the attachments could not be saved; see the terminal";
        },
      );
      return c.json({ job: id });
    });
    app.get("/api/save/:job", (c) => {
      const job = jobs.get(c.req.param("job"));
      if (!job) throw new InboxNotFound("such job");
      return c.json(job);
    });
  };
}
