// The deployment suites: the worker bundle, schema equality across SQLite / D1 / PostgreSQL, and the
// end-to-end submission test on every backend. They start wrangler and PostgreSQL, so they run apart
// from the default suite (npm run test:deploy).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("../../", import.meta.url)),
  test: {
    include: ["tests/workers/**/*.test.ts", "tests/postgres/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: "forks",
    // Two cores shared with other engineers: one file at a time (each starts workerd and/or postgres).
    maxWorkers: 1,
    fileParallelism: false,
  },
});
