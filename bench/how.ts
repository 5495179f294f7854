// The "How each figure is taken" part of bench/RESULTS.md.
import { mb } from "./lib.js";

export const HOW = (memoryBytes: number) => `- **Browser encrypt+upload**: the source page's own streaming upload (client/upload/stream-upload.ts: file stream,
  pieces digest and age STREAM sealed on Web Workers, padding tail, 8 MiB parts, one in flight and up to three queued) against the sealdrop
  server on loopback. *Encrypt only* runs the same code with a network that acknowledges at once; *raw upload* sends the
  file's own bytes in the same parts to the same endpoint. Ratio = slower baseline's time ÷ encrypt+upload time. The
  file is a generated one chosen through a file input. \`--jitless\` is Tor Browser's "Safer" situation (no JIT, no
  WebAssembly), with a smaller file. Chromium is driven over \`--remote-debugging-pipe\` without the DevTools Network
  domain (bench/browser.ts plainBench): Playwright's Network domain copies every request body through the browser
  process, which a source's browser never does.
- **Large attachment end to end**: the same page uploads a file of over 4 GiB; the editor side's decryptor
  (\`sealdrop read\`'s, src/cli/stream/attachment.ts) then restores it from the server's stored upload and checks size,
  padding and SHA-256 against what the page computed, which must equal the file's own SHA-256.
- **Memory**: JS heap from \`performance.memory\` (with \`--enable-precise-memory-info\`) sampled every 50 ms in the page;
  browser memory is the sum of PSS over every Chromium process, sampled every 200 ms; server memory is the server
  process's VmRSS, sampled every 200 ms, while the ${mb(memoryBytes)} upload runs. The server runs as \`npm run build\`
  ships the \`sealdrop\` command: bundled JavaScript on plain Node (scripts/build-cli.ts), not TypeScript through tsx.
- **OpenPGP.js**: \`openpgp.encrypt\` streaming the same file (Blob.stream) to a fresh Curve25519 key, compression off,
  output read and discarded; ours is the encrypt-only run on the same file. Ratio = OpenPGP.js time ÷ ours. OpenPGP.js
  is bundled only into the benchmark page (bench/page), never into the source page.
- **Editor decryption**: an attachment made as the page makes it (file + Padmé padding, age STREAM to an X25519 key),
  decrypted to disk by \`age -d -o\` and by sealdrop's streaming decryptor (native ChaCha20-Poly1305); best of three each, each run starting after \`sync\` has flushed the previous run's output.
  Ratio = age time ÷ sealdrop time.
- **Ingest**: 16 keep-alive connections from one Node client posting the same small sealed envelope for 10 s (after a 2 s
  warm-up), against the sealdrop server and against a bare Hono route on the same Node adapter.
- **Vault index** (bench/index.ts): a vault of 1,000 and of 10,000 tips from a quarter as many sources (~60-word
  messages, every fifth with an attachment entry), each sealed to three classic X25519 editor keys (post-quantum
  ones take ~13 ms each to open, too slow to generate and open 10,000 twice on a shared machine; the index's
  work per item is the same). \`sealdrop sources\` and \`sealdrop list\` run as the shipped bundled command on plain
  Node, each its own process: *cold* with no index (first indexing, decryption on worker threads), *warm* with the index (best of
  three); wall time and the process's peak RSS (VmHWM from \`/proc/self/status\`, written as it exits; the key file uses the
  interactive Argon2id limits, 64 MiB; the default moderate limits add about 192 MiB to unlocking, whatever the
  vault's size). Baseline: decrypting every envelope once on one thread in the benchmark process. Ratio =
  baseline time ÷ command time. \`sources\` on an empty vault is what every run pays whatever the vault holds; one
  warm 10,000-tip \`sources\` uses a key file under the default moderate limits (Argon2id, 256 MiB) instead, and
  that home is then unlocked by \`sealdrop unlock\` (src/cli/agent.ts) for warm \`sources\` and \`list\` run with no
  passphrase in their environment: they take the agent's key or fail; \`sealdrop lock\` after.
- **Inbox first paint** (bench/inbox.ts): the same vaults (bench/vault-fixture.ts; made once per run and shared
  with the index section, as is the baseline; \`SEALDROP_BENCH_FIXTURES=DIR\` keeps them for later runs), and one of
  1,000 tips sealed to three hybrid post-quantum editor keys (\`age1pq1…\`, ML-KEM-768 + X25519), as the issue's desk
  has them (10,000 with \`SEALDROP_BENCH_INBOX_PQ=1000,10000\`). \`sealdrop inbox\` runs as the shipped bundled
  command on plain Node; the address on its first line is opened in a fresh context of an already running headless
  Chromium (tests/helpers/browser.ts's flags), and the time is taken from spawning the process to the sources table
  holding its first page of rows (100 sources, or all of them when there are fewer: the list shows a page at a
  time; polled every animation frame, no fixed wait); in brackets, when the address was
  printed (the home unlocked: the desk is opened after it, while the page loads) and the CPU time the inbox process used until the list
  was drawn (all its threads; on a shared machine, what waiting for a core does not inflate). Peak RSS is the
  inbox process's VmHWM once the list is drawn. *Cold* with no index, *warm* with it (best of three), then warm with
  the home unlocked by \`sealdrop unlock\` and no passphrase in the inbox's environment (best of three). Baseline and ratio as for the index.`;
