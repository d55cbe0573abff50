import * as fs from "fs";

/** A process as /proc shows it (Linux): its id, parent, state letter and command line. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  state: string;
  cmd: string;
}

export function processInfo(pid: number): ProcessInfo | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so read after the last ')'.
    const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
    return { pid, ppid: Number(ppid), state, cmd };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** Every process below `root` (not root itself), by walking parent links. */
export function descendants(root: number): ProcessInfo[] {
  const all = fs
    .readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map((d) => processInfo(Number(d)))
    .filter((p): p is ProcessInfo => p !== undefined);
  const below: ProcessInfo[] = [];
  let frontier = new Set([root]);
  while (frontier.size) {
    const next = all.filter((p) => frontier.has(p.ppid));
    below.push(...next);
    frontier = new Set(next.map((p) => p.pid));
  }
  return below;
}

/** Alive: it exists and is not a zombie (a zombie has ended; only its entry waits for a reaper). */
export function alive(pid: number): boolean {
  const p = processInfo(pid);
  return p !== undefined && p.state !== "Z";
}

/** Waits up to `ms` for all of them to end; returns those still alive then. */
export async function survivors(pids: number[], ms: number): Promise<number[]> {
  const until = Date.now() + ms;
  for (;;) {
    const left = pids.filter(alive);
    if (!left.length || Date.now() >= until) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGKILL, ignoring a process already gone. */
export function kill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}
