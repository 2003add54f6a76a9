/**
 * Where the handshake keeps what it shares between its runs on one machine (the journal, the pacing
 * schedule, the pair locks, the guard's log), and how it touches it. That place is attacked by whoever else
 * uses the machine, so:
 *
 * - it is per user (`<tmp>/privatelink-cdktf-<uid>`, or `$PHZ_STATE_DIR` / `$PHZ_PACING_DIR`), created 0700;
 *   a directory that is a symbolic link, is not owned by this user, or is writable by others is refused (exit 2);
 * - files in it are never followed through a symbolic link: reads open with O_NOFOLLOW, writes go to a new
 *   file (O_EXCL | O_NOFOLLOW, 0600) renamed into place, which replaces a planted link instead of writing
 *   through it;
 * - a pair lock makes the runs of one (zone, VPC) pair take turns: a re-run right after a killed run, and the
 *   killed run's guard, never act on the pair at the same time.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EXIT, HandshakeError } from "./errors";
import { sleep } from "./sleep";

const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

/** The user's own state directory (not yet checked: see privateDir). */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PHZ_STATE_DIR) return env.PHZ_STATE_DIR;
  const uid = typeof process.getuid === "function" ? process.getuid() : os.userInfo().username;
  return path.join(os.tmpdir(), `privatelink-cdktf-${uid}`);
}

/**
 * Creates `dir` (0700) or checks it: a real directory (not a symbolic link), owned by this user, not writable
 * or readable by others. Its parents are created as usual. Throws HandshakeError (exit 2) otherwise.
 */
export function privateDir(dir: string): string {
  const resolved = path.resolve(dir);
  fs.mkdirSync(path.dirname(resolved), { recursive: true });
  try {
    fs.mkdirSync(resolved, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw new HandshakeError(`state directory ${resolved} cannot be created: ${(error as Error).message}`, EXIT.badInput);
  }
  const stat = fs.lstatSync(resolved);
  if (stat.isSymbolicLink()) throw new HandshakeError(`state directory ${resolved} is a symbolic link: refused (set PHZ_STATE_DIR to a directory of your own)`, EXIT.badInput);
  if (!stat.isDirectory()) throw new HandshakeError(`state directory ${resolved} is not a directory`, EXIT.badInput);
  if (typeof process.getuid === "function") {
    if (stat.uid !== process.getuid()) throw new HandshakeError(`state directory ${resolved} belongs to user ${stat.uid}, not to you (${process.getuid()}): refused (set PHZ_STATE_DIR to a directory of your own)`, EXIT.badInput);
    // Never chmod a directory found in place (PHZ_STATE_DIR=/tmp must not close /tmp): refuse it instead.
    if ((stat.mode & 0o022) !== 0) throw new HandshakeError(`state directory ${resolved} is writable by others (mode ${(stat.mode & 0o777).toString(8)}): refused (set PHZ_STATE_DIR to a directory of your own, mode 0700)`, EXIT.badInput);
  }
  return resolved;
}

/** Reads a file of the state directory, never through a symbolic link; undefined when absent (or a link). */
export function readPrivate(file: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    if (!fs.fstatSync(fd).isFile()) return undefined;
    return fs.readFileSync(fd, "utf8");
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes a file of the state directory: a new 0600 file renamed into place (a planted link is replaced, not followed). */
export function writePrivate(file: string, text: string): void {
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const fd = fs.openSync(temp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | O_NOFOLLOW, 0o600);
  try {
    fs.writeSync(fd, text);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
}

/** Appends a line to a log of the state directory, never through a symbolic link. */
export function appendPrivate(file: string, line: string): void {
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_APPEND | O_NOFOLLOW, 0o600);
  try {
    fs.writeSync(fd, line);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Runs `fn` holding a short mutex (a directory made with `mkdir`, atomic everywhere); a mutex older than
 * 2 s belongs to a process that died holding it and is broken. Gives up at `deadline`.
 */
export async function withMutex<T>(mutex: string, fn: () => T, options: { signal?: AbortSignal; deadline?: number } = {}): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      fs.mkdirSync(mutex);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      try {
        if (Date.now() - fs.lstatSync(mutex).mtimeMs > 2000) fs.rmSync(mutex, { recursive: true, force: true });
      } catch {
        // another process broke or released it first
      }
      if (options.deadline !== undefined && Date.now() > options.deadline) throw new HandshakeError(`could not take ${mutex} before the deadline`, EXIT.awsFailure);
      await sleep(1 + Math.random() * 4 + Math.min(tries, 20), options.signal);
      continue;
    }
    try {
      return fn();
    } finally {
      fs.rmSync(mutex, { recursive: true, force: true });
    }
  }
}

/** When a process started (Linux: /proc/<pid>/stat), to tell a live owner from a reused pid. */
function processStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

interface Owner {
  readonly pid: number;
  readonly start?: string;
}

function alive(owner: Owner): boolean {
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  const start = processStart(owner.pid);
  return owner.start === undefined || start === undefined || start === owner.start;
}

/**
 * One (zone, VPC) pair's turn: a file naming the process that acts on the pair. A run takes it before its
 * first call and gives it back at the end; a killed run's file names a dead process, which the next run (or
 * the killed run's guard) takes over.
 */
export class PairLock {
  private readonly file: string;
  private held = false;

  constructor(dir: string, key: string) {
    const locks = privateDir(path.join(dir, "locks"));
    this.file = path.join(locks, `${key.replace(/[^A-Za-z0-9-]+/g, "_")}.lock`);
  }

  /** The live process that holds the pair, if another does. */
  private takeOrOwner(): Owner | undefined {
    const text = readPrivate(this.file);
    const owner = text ? (JSON.parse(text) as Owner) : undefined;
    if (owner && owner.pid !== process.pid && alive(owner)) return owner;
    writePrivate(this.file, JSON.stringify({ pid: process.pid, start: processStart(process.pid) }));
    this.held = true;
    return undefined;
  }

  /**
   * Takes the pair. `wait`: while another live process holds it, wait (until `deadline`); otherwise return
   * that process's pid at once.
   */
  async acquire(options: { deadline: number; signal?: AbortSignal; wait: boolean; onWait?: (pid: number) => void }): Promise<{ acquired: true } | { acquired: false; pid: number }> {
    let told = false;
    for (;;) {
      let owner: Owner | undefined;
      try {
        owner = await withMutex(`${this.file}.mutex`, () => this.takeOrOwner(), options);
      } catch (error) {
        if (error instanceof SyntaxError) {
          // A torn lock file (its writer died mid-rename is impossible; a hand edit is not): taken over.
          writePrivate(this.file, JSON.stringify({ pid: process.pid, start: processStart(process.pid) }));
          this.held = true;
          return { acquired: true };
        }
        throw error;
      }
      if (!owner) return { acquired: true };
      if (!options.wait) return { acquired: false, pid: owner.pid };
      if (!told) options.onWait?.(owner.pid);
      told = true;
      if (Date.now() + 250 > options.deadline) throw new HandshakeError(`another run of this pair (process ${owner.pid}) still holds it at the deadline`, EXIT.awsFailure);
      await sleep(250, options.signal);
    }
  }

  /** Gives the pair back (only when this process holds it). */
  release(): void {
    if (!this.held) return;
    this.held = false;
    try {
      const owner = JSON.parse(readPrivate(this.file) ?? "{}") as Partial<Owner>;
      if (owner.pid === process.pid) fs.rmSync(this.file, { force: true });
    } catch {
      // already gone
    }
  }
}
