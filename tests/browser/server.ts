// A sealdrop server process serving a given build of the page, with all of its output captured.
import { type ServerProcess, spawnServer } from "../helpers/process.js";

export interface PageServer extends Pick<ServerProcess, "url" | "child" | "output"> {
  /** Stops the server gracefully (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
}

export async function startPageServer(dataDir: string, clientDir: string): Promise<PageServer> {
  const server = await spawnServer(dataDir, { clientDir });
  return { url: server.url, child: server.child, output: server.output, stop: () => server.kill("SIGTERM") };
}
