// A newsroom made the way an editor makes one: `sealdrop init` on a fresh data directory, then the
// server on it. The editor's side (pull, list, read, identity export) goes through the same command.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startPageServer, type PageServer } from "./server.js";

const run = promisify(execFile);
const SEALDROP = fileURLToPath(new URL("../../bin/sealdrop.js", import.meta.url));
const ENV = { ...process.env, SEALDROP_PASSPHRASE: "test passphrase for the e2e newsroom", SEALDROP_KDF: "interactive" };

export interface Newsroom {
  root: string;
  dataDir: string;
  home: string;
  server: PageServer;
  /** Runs `sealdrop ARGS --home HOME` and returns its standard output. */
  sealdrop(...args: string[]): Promise<string>;
  /** The same, with more environment (another passphrase for a new colleague's home, say). */
  sealdropWith(env: Record<string, string>, ...args: string[]): Promise<string>;
  dispose(): Promise<void>;
}

export interface NewsroomOptions {
  clientDir: string;
  name?: string;
  /** `id` or `id=Display name`, as `sealdrop init --desk` takes them. */
  desks?: string[];
  classic?: boolean;
}

export async function startNewsroom(options: NewsroomOptions): Promise<Newsroom> {
  const root = await mkdtemp(join(tmpdir(), "sealdrop-e2e-"));
  const dataDir = join(root, "data");
  const home = join(root, "home");
  const sealdropWith = async (env: Record<string, string>, ...args: string[]) => {
    const { stdout } = await run(process.execPath, [SEALDROP, ...args, "--home", home], { env: { ...ENV, ...env }, maxBuffer: 64 << 20 });
    return stdout;
  };
  const sealdrop = (...args: string[]) => sealdropWith({}, ...args);
  await sealdrop(
    "init",
    "--data",
    dataDir,
    "--name",
    options.name ?? "Border Desk",
    ...(options.desks ?? ["news"]).flatMap((d) => ["--desk", d]),
    "--editor-name",
    "Test Editor",
    ...(options.classic ? ["--classic"] : []),
  );
  const server = await startPageServer(dataDir, options.clientDir);
  return {
    root,
    dataDir,
    home,
    server,
    sealdrop,
    sealdropWith,
    dispose: async () => {
      await server.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}
