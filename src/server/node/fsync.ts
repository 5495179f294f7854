// fsync of a file or directory by path (a directory's, so that a rename or a new file in it is durable).
import { open } from "node:fs/promises";

export async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
