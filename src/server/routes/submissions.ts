// A source's submission: the envelope plus the uploads it names. The route checks the request; the
// store (submission-store.ts) commits it, and the receipt is returned only once it is durable (invariant 6).
import { Hono } from "hono";
import { LIMITS, type Receipt, submissionRequest } from "../../core/wire.js";
import { decodeBase64Field, readJson, requireAgeFile } from "../body.js";
import { HttpError } from "../http-error.js";
import type { SubmissionStore } from "../submission-store.js";

export function submissionRoutes(submissions: SubmissionStore): Hono {
  const app = new Hono();

  app.post("/", async (c) => {
    const body = await readJson(c, submissionRequest, LIMITS.maxJsonBodyBytes);
    const envelope = decodeBase64Field(body.envelope, "envelope");
    if (envelope.length > LIMITS.maxEnvelopeBytes) {
      throw new HttpError(413, "payload_too_large", `The envelope may hold at most ${LIMITS.maxEnvelopeBytes} bytes.`);
    }
    requireAgeFile(envelope, "The envelope");
    // The row keeps the base64 the request carried, checked above.
    const receipt = await submissions.store({ desk: body.desk, envelopeBase64: body.envelope, envelopeSize: envelope.length, attachments: body.attachments });
    return c.json(receipt satisfies Receipt, 201);
  });

  return app;
}
