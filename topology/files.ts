/**
 * Reading a file a user names (a topology, an estate record, a traffic or price file, an outputs file): it
 * is untrusted. Only a regular file is read (a FIFO would block for ever, a device such as /dev/zero never
 * ends, a directory is not a file); its size is checked before reading and the read is bounded; the text
 * must be valid UTF-8. Every refusal says why, for the caller to locate (flag, variable or field).
 */
import * as fs from "fs";
import { z } from "zod";

/** What a user file may weigh by default: far above any real topology (a 1,000-spoke estate is ~300 KB). */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

export class UnreadableFile extends Error {
  constructor(
    readonly file: string,
    /** Why, without the file's name: "is a directory", "does not exist"... */
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = "UnreadableFile";
  }
}

function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return "a directory";
  if (stat.isFIFO()) return "a FIFO (named pipe)";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  if (stat.isSocket()) return "a socket";
  return "not a regular file";
}

/** Reads a regular file as UTF-8 text, at most `maxBytes`; throws UnreadableFile with the reason. */
export function readTextFile(file: string, options: { maxBytes?: number } = {}): string {
  const maxBytes = options.maxBytes ?? MAX_INPUT_BYTES;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UnreadableFile(file, fs.lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink() ? "is a symbolic link to nothing" : "does not exist");
    if (code === "EACCES") throw new UnreadableFile(file, "is not readable (permission denied)");
    if (code === "ENAMETOOLONG") throw new UnreadableFile(file, "has a name too long for the file system");
    if (code === "ENOTDIR") throw new UnreadableFile(file, "does not exist (a part of its path is not a directory)");
    if (code === "ELOOP") throw new UnreadableFile(file, "is a loop of symbolic links");
    throw new UnreadableFile(file, `cannot be read (${code ?? (error as Error).message})`);
  }
  if (!stat.isFile()) throw new UnreadableFile(file, `is ${kindOf(stat)}, not a file`);
  if (stat.size > maxBytes) throw new UnreadableFile(file, `is ${formatBytes(stat.size)}, more than the ${formatBytes(maxBytes)} accepted`);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UnreadableFile(file, code === "EACCES" ? "is not readable (permission denied)" : `cannot be opened (${code})`);
  }
  try {
    // The file may have changed since the stat: read at most one byte more than allowed, to tell.
    const buffer = Buffer.alloc(Math.min(maxBytes, stat.size) + 1);
    let length = 0;
    for (;;) {
      const n = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length === buffer.length) break;
    }
    if (length > maxBytes) throw new UnreadableFile(file, `grew past the ${formatBytes(maxBytes)} accepted while it was read`);
    return decodeUtf8(file, buffer.subarray(0, length));
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A JSON file a command keeps next to the topology (the estate record, the imports file), checked against its
 * schema: undefined when there is no file; anything else than a valid one throws `refused(reason)`.
 */
export function readJsonFile<T>(file: string, schema: z.ZodType<T>, maxBytes: number, refused: (reason: string) => Error): T | undefined {
  if (!fs.lstatSync(file, { throwIfNoEntry: false })) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(readTextFile(file, { maxBytes }));
  } catch (error) {
    if (error instanceof UnreadableFile) throw refused(`cannot be read: it ${error.reason}`);
    throw refused(`not JSON (${(error as Error).message})`);
  }
  const parsed = schema.safeParse(doc);
  if (!parsed.success) throw refused(parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; "));
  return parsed.data;
}

/** Writes a file whole or not at all: a temporary file beside it, renamed into place. */
export function writeFileAtomic(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text);
  fs.renameSync(temp, file);
}

/** Strict UTF-8 (no replacement characters); a byte-order mark is dropped. */
export function decodeUtf8(file: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const line = bytes.subarray(0, offset).reduce((n, b) => n + (b === 10 ? 1 : 0), 1);
    throw new UnreadableFile(file, `is not valid UTF-8 text (line ${line}, byte ${offset + 1})`);
  }
}

/** Where UTF-8 breaks (RFC 3629's well-formed sequences), for the message. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    // Length of the sequence and the range of its second byte (overlongs and surrogates excluded).
    const [n, lo, hi] =
      c >= 0xc2 && c <= 0xdf ? [1, 0x80, 0xbf] : c === 0xe0 ? [2, 0xa0, 0xbf] : c === 0xed ? [2, 0x80, 0x9f] : c >= 0xe1 && c <= 0xef ? [2, 0x80, 0xbf] : c === 0xf0 ? [3, 0x90, 0xbf] : c === 0xf4 ? [3, 0x80, 0x8f] : c >= 0xf1 && c <= 0xf3 ? [3, 0x80, 0xbf] : [0, 0, 0];
    if (n === 0 || i + n > b.length - 1) return i;
    if (b[i + 1] < lo || b[i + 1] > hi) return i;
    for (let k = 2; k <= n; k++) if (b[i + k] < 0x80 || b[i + k] > 0xbf) return i;
    i += n + 1;
  }
  return b.length;
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} bytes`;
}
