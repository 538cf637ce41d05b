// What a Node process's memory is made of, for the benchmark's memory probes (bench/profiles.py)
// and the Node soak (soak_node.mjs).

import { readFileSync } from "node:fs";

const ARENA = 64n << 20n;

/** kB resident in malloc's arenas: the main thread's `[heap]` and the 64 MiB-aligned anonymous
 * heaps glibc gives other threads (the core's allocations and node's own). */
export function arenasKb() {
  let kb = 0;
  let arena = false;
  for (const line of readFileSync("/proc/self/smaps", "ascii").split("\n")) {
    const map = /^([0-9a-f]+)-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (map)
      arena =
        map[2] === "[heap]" ||
        (map[2] === "" && BigInt("0x" + map[1]) % ARENA === 0n);
    else if (arena && line.startsWith("Rss:"))
      kb += parseInt(line.slice(4), 10);
  }
  return kb;
}
