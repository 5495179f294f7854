// Where an upload stands on the server: GET /api/uploads/:id → {parts, bytes}. Used to resume after a
// dropped connection. Same-origin, no credentials, nothing cached.
import { ApiError } from "../../src/core/api-error.js";
import { uploadStatus, type UploadStatus } from "../../src/core/wire.js";

export async function getUploadStatus(uploadId: string, fetcher: typeof fetch = fetch): Promise<UploadStatus> {
  let response: Response;
  try {
    response = await fetcher(`/api/uploads/${encodeURIComponent(uploadId)}`, {
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
      headers: { accept: "application/json" },
    });
  } catch (e) {
    throw Object.assign(new Error(e instanceof Error ? e.message : String(e)), { name: "NetworkError" });
  }
  if (!response.ok) {
    const code = response.status >= 500 ? `http_${response.status}` : "upload_gone";
    throw new ApiError(response.status, code, `the server answered ${response.status} for the upload's status`);
  }
  return uploadStatus.parse(await response.json());
}
