import { describe, expect, it } from "vitest";
import { ApiError, apiErrorFrom, parseErrorBody } from "../../src/core/api-error.js";
import type { ErrorBody } from "../../src/core/errors.js";

describe("parseErrorBody", () => {
  it("reads the server's error body", () => {
    const body: ErrorBody = { error: { code: "rate_limited", message: "Slow down." } };
    expect(parseErrorBody(JSON.stringify(body))).toEqual({ code: "rate_limited", message: "Slow down." });
  });

  it("keeps a code this client does not know, and lets it stand in for a missing message", () => {
    expect(parseErrorBody('{"error":{"code":"something_new"}}')).toEqual({ code: "something_new", message: "something_new" });
  });

  it("is null for anything else: a proxy's page, other JSON, a code that is not a string", () => {
    for (const text of ["<html>502 Bad Gateway</html>", "", "null", "5", '"error"', '{"error":"x"}', '{"error":{"code":7,"message":"m"}}', '{"code":"x"}']) {
      expect(parseErrorBody(text)).toBeNull();
    }
  });
});

describe("apiErrorFrom", () => {
  it("carries the status, the server's code and its message", () => {
    const e = apiErrorFrom(429, '{"error":{"code":"rate_limited","message":"Slow down."}}');
    expect(e).toBeInstanceOf(ApiError);
    expect([e.status, e.code, e.message, e.name]).toEqual([429, "rate_limited", "Slow down.", "ApiError"]);
  });

  it("falls back to http_<status> and the given message when the body is not ours", () => {
    const e = apiErrorFrom(502, "<html>Bad Gateway</html>", "the server answered 502 Bad Gateway");
    expect([e.status, e.code, e.message]).toEqual([502, "http_502", "the server answered 502 Bad Gateway"]);
  });

  it("says HTTP <status> when no fallback is given", () => {
    expect(apiErrorFrom(503, "").message).toBe("HTTP 503");
  });
});
