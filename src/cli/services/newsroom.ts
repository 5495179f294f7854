// The newsroom's public record as the server hands it to sources' browsers, with its fingerprint
// recomputed from the keys: a server that lied about one or the other is caught here.
import { newsroomFingerprint } from "../../core/fingerprint.js";
import { type NewsroomResponse, newsroomResponse } from "../../core/wire.js";
import { SealdropApi } from "../api.js";
import { CliError } from "../errors.js";

export async function checkedNewsroom(server: string): Promise<NewsroomResponse> {
  const newsroom = await new SealdropApi(server).get("/api/newsroom", newsroomResponse);
  const computed = newsroomFingerprint(newsroom.desks.flatMap((d) => d.recipients));
  if (computed !== newsroom.fingerprint) {
    throw new CliError(`the server's fingerprint ${newsroom.fingerprint} does not match its keys (${computed}): do not trust this server until you know why`);
  }
  return newsroom;
}
