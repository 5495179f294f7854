// Builds the page once per test run, so browser tests always exercise the current client/ sources.
import { build } from "vite";
import { fileURLToPath } from "node:url";

let built: Promise<void> | undefined;

export const CLIENT_DIST = fileURLToPath(new URL("../../dist/client/", import.meta.url));

export function buildClient(): Promise<void> {
  built ??= build({ configFile: fileURLToPath(new URL("../../vite.config.ts", import.meta.url)), logLevel: "warn" }).then(() => undefined);
  return built;
}
