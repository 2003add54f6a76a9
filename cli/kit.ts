/**
 * The command-line kit every command of this package uses (`privatelink <command>`, `phz-handshake`,
 * `onprem-dns`, the emulator): one parser, one help layout, one error style, one version.
 *
 * - Flags are `--name value` or `--name=value`; a value flag with no value, or an empty one, is an error.
 * - `--help` / `-h` prints the command's own usage and flags (exit 0); `--version` prints the version.
 * - Anything else that is wrong is a UsageError: `<program> <command>: <what> (...)` on stderr, exit 2,
 *   naming the valid flags. No stack trace, nothing written.
 * - Files named by flags are untrusted: `inputText` reads regular files only, size-bounded and valid UTF-8.
 */
import * as fs from "fs";
import * as path from "path";
import { PACKAGE_NAMES, projectRoot } from "../modules/package-assets";
import { readTextFile, UnreadableFile } from "../topology/files";

export interface FlagSpec {
  /** `--stacks`: the flag as typed. */
  readonly name: string;
  /** The value's placeholder in the help (`FILE`, `N`, `LIST`...); absent for a switch. */
  readonly value?: string;
  readonly help: string;
  /** The flag may be given more than once (its values are collected). */
  readonly repeatable?: boolean;
  /** The values accepted (checked by the parser). */
  readonly choices?: readonly string[];
  /**
   * The value names a path the command reads (a file, or a directory) or writes (a file, or a directory it
   * creates or replaces); the bad-input test generated from these definitions tries each kind of wrong path.
   */
  readonly path?: "read-file" | "write-file" | "read-dir" | "write-dir";
}

export interface CommandSpec {
  /** `privatelink`, `phz-handshake`... */
  readonly program: string;
  /** The subcommand (`plan`), when the program has several. */
  readonly command?: string;
  /** Positional arguments, as the usage line shows them (`<associate|disassociate>`). */
  readonly positionals?: string;
  /** How many positional arguments it takes (default 0). */
  readonly positionalCount?: number;
  readonly summary: string;
  readonly flags: readonly FlagSpec[];
  /** Text after the flags: environment, exit codes, examples. */
  readonly details?: string;
}

/** The flag every command that reads the topology has. */
export const TOPOLOGY_FLAG: FlagSpec = { name: "--topology", value: "FILE", path: "read-file", help: "the topology (default: $TOPOLOGY, else examples/topology.yaml)" };

/** The default topology when neither --topology nor TOPOLOGY names one. */
export const DEFAULT_TOPOLOGY = "examples/topology.yaml";

const HELP_FLAGS: readonly FlagSpec[] = [
  { name: "--help", help: "this help (also -h)" },
  { name: "--version", help: "the version" },
];

/** Bad usage of a command: exit 2 with the message. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command at fault (names it in the message, and its --help). */
    readonly spec?: CommandSpec,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

export type FlagValue = string | boolean | string[];

export interface Parsed {
  /** Flag values by name without the dashes (`stacks`), switches as true, repeatable flags as arrays. */
  readonly values: Readonly<Record<string, FlagValue | undefined>>;
  readonly positionals: readonly string[];
  /** `--help` or `-h` was given: print `helpText(spec)` and exit 0. */
  readonly help: boolean;
  /** `--version` was given. */
  readonly version: boolean;
}

const key = (flag: string) => flag.replace(/^--/, "");

/** Parses a command's arguments against its spec; throws UsageError (exit 2). */
export function parseCommand(spec: CommandSpec, argv: readonly string[]): Parsed {
  const values: Record<string, FlagValue | undefined> = {};
  const positionals: string[] = [];
  let help = false;
  let version = false;
  const flags = new Map(spec.flags.map((f) => [f.name, f]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    if (arg === "--version") {
      version = true;
      continue;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const [name, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const flag = flags.get(name);
    if (!flag) throw new UsageError(`unknown option ${JSON.stringify(name).slice(1, -1)}${suggestion(name, spec)}; ${validFlags(spec)}`, spec);
    if (!flag.value) {
      if (inline !== undefined) throw new UsageError(`${name} takes no value`, spec);
      values[key(name)] = true;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("--") && next.length > 2)) throw new UsageError(`${name} needs a value (${flag.value})`, spec);
      value = next;
      i++;
    }
    if (value.trim() === "") throw new UsageError(`${name} is empty: it needs a value (${flag.value})`, spec);
    if (flag.choices && !flag.choices.includes(value)) throw new UsageError(`${name} is one of ${flag.choices.join(", ")}, not ${JSON.stringify(value)}`, spec);
    if (flag.repeatable) values[key(name)] = [...((values[key(name)] as string[] | undefined) ?? []), value];
    else if (values[key(name)] !== undefined) throw new UsageError(`${name} is given twice`, spec);
    else values[key(name)] = value;
  }
  if (!help && !version && positionals.length !== (spec.positionalCount ?? 0)) {
    if ((spec.positionalCount ?? 0) === 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}; ${validFlags(spec)}`, spec);
    throw new UsageError(`expected ${spec.positionals ?? `${spec.positionalCount} argument(s)`}, got ${positionals.length === 0 ? "none" : positionals.map((p) => JSON.stringify(p)).join(" ")}`, spec);
  }
  return { values, positionals, help, version };
}

/** A string flag's value. */
export function stringFlag(parsed: Parsed, name: string): string | undefined {
  const value = parsed.values[key(name)];
  return typeof value === "string" ? value : undefined;
}

/** A switch. */
export function switchFlag(parsed: Parsed, name: string): boolean {
  return parsed.values[key(name)] === true;
}

/** A repeatable flag's values (empty when not given). */
export function listFlag(parsed: Parsed, name: string): string[] {
  const value = parsed.values[key(name)];
  return Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
}

/** A whole number flag within bounds. */
export function integerFlag(parsed: Parsed, name: string, bounds: { min: number; max: number; default: number }, spec: CommandSpec): number {
  const raw = stringFlag(parsed, name);
  if (raw === undefined) return bounds.default;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(n) || n < bounds.min || n > bounds.max) {
    throw new UsageError(`${name} must be a whole number from ${bounds.min} to ${bounds.max}, not ${JSON.stringify(raw)}`, spec);
  }
  return n;
}

/** The topology file: --topology, else $TOPOLOGY, else the bundled example. */
export function topologyFile(parsed: Parsed, env: NodeJS.ProcessEnv): string {
  return stringFlag(parsed, "--topology") ?? (env.TOPOLOGY || DEFAULT_TOPOLOGY);
}

function validFlags(spec: CommandSpec): string {
  const names = spec.flags.map((f) => f.name);
  return names.length === 0 ? `${title(spec)} takes no options` : `${title(spec)} takes ${names.join(", ")}`;
}

/** "did you mean" for a flag one or two edits away. */
function suggestion(name: string, spec: CommandSpec): string {
  const close = spec.flags.map((f) => f.name).find((f) => editDistance(f, name) <= 2);
  return close ? ` (did you mean ${close}?)` : "";
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

/** `privatelink plan`, `phz-handshake`. */
export function title(spec: CommandSpec): string {
  return spec.command ? `${spec.program} ${spec.command}` : spec.program;
}

/** The command's --help: usage line, summary, its own flags, details. */
export function helpText(spec: CommandSpec): string {
  const flags = [...spec.flags, ...HELP_FLAGS];
  const label = (f: FlagSpec) => `${f.name}${f.value ? ` ${f.value}` : ""}`;
  const width = Math.max(...flags.map((f) => label(f).length)) + 2;
  const usage = `Usage: ${title(spec)}${spec.positionals ? ` ${spec.positionals}` : ""}${spec.flags.length ? " [options]" : ""}`;
  const summary = spec.summary.includes("\n") ? spec.summary : wrap(spec.summary, 100).join("\n");
  const lines = [usage, "", summary, "", "Options:"];
  for (const f of flags) {
    const [first, ...rest] = wrap(`${f.help}${f.choices ? ` (${f.choices.join(", ")})` : ""}${f.repeatable ? "; may be repeated" : ""}`, 100 - width - 2);
    lines.push(`  ${label(f).padEnd(width)}${first}`, ...rest.map((r) => `  ${"".padEnd(width)}${r}`));
  }
  if (spec.details) lines.push("", spec.details.trimEnd());
  return `${lines.join("\n")}\n`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines;
}

/** The one error style: `<program> <command>: <message>` and where to read the usage. */
export function formatUsageError(error: UsageError, fallbackTitle: string): string {
  const name = error.spec ? title(error.spec) : fallbackTitle;
  return `${name}: ${error.message}\n(${name} --help for usage)\n`;
}

declare const __PRIVATELINK_VERSION__: string | undefined;
declare const __PRIVATELINK_PACKAGE__: string | undefined;

/** This package's name and version: compiled into the bundles (which may run outside the package, inside a stack), else read from package.json. */
export function packageInfo(): { name: string; version: string } {
  // A bundle shared by both flavours (phz-handshake, onprem-dns) carries no package name.
  if (typeof __PRIVATELINK_VERSION__ === "string" && typeof __PRIVATELINK_PACKAGE__ === "string") return { name: __PRIVATELINK_PACKAGE__, version: __PRIVATELINK_VERSION__ };
  const manifest = JSON.parse(fs.readFileSync(path.join(projectRoot(), "package.json"), "utf8"));
  return { name: PACKAGE_NAMES.includes(manifest.name) ? manifest.name : PACKAGE_NAMES[0], version: manifest.version };
}

/**
 * `--version`: the program, this package and version, and (`framework`, from the commands that load it) the
 * construct framework it runs on. The kit itself never loads the framework: phz-handshake's bundle stays small.
 */
export function versionText(program: string, framework?: { readonly name: string; readonly version: string }): string {
  const { name, version } = packageInfo();
  const parts = [name, framework && `${framework.name} ${framework.version}`, `node ${process.versions.node}`].filter(Boolean);
  return `${program} ${version} (${parts.join(", ")})\n`;
}

/**
 * A file a flag names, read as untrusted input: a regular file (a link is followed only to a regular file),
 * at most `maxBytes`, valid UTF-8; `-` reads stdin when `stdin` is given. Problems are UsageErrors naming the flag.
 */
export function inputText(flag: string, file: string, spec: CommandSpec, options: { maxBytes?: number; stdin?: () => string } = {}): string {
  if (file === "-" && options.stdin) return options.stdin();
  try {
    return readTextFile(file, { maxBytes: options.maxBytes });
  } catch (error) {
    if (error instanceof UnreadableFile) throw new UsageError(`${flag} ${file}: ${error.reason}`, spec);
    throw error;
  }
}

/**
 * A file a flag names that the command will write: its directory must exist and be a directory, and the
 * path must not be a directory, checked before any work starts.
 */
export function outputPath(flag: string, file: string, spec: CommandSpec): string {
  const resolved = path.resolve(file);
  const dir = path.dirname(resolved);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new UsageError(`${flag} ${file}: the directory ${dir} does not exist`, spec);
  }
  if (!stat.isDirectory()) throw new UsageError(`${flag} ${file}: ${dir} is not a directory`, spec);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new UsageError(`${flag} ${file}: the directory ${dir} is not writable`, spec);
  }
  const existing = fs.lstatSync(resolved, { throwIfNoEntry: false });
  if (existing?.isDirectory()) throw new UsageError(`${flag} ${file}: is a directory`, spec);
  if (existing?.isSymbolicLink()) throw new UsageError(`${flag} ${file}: is a symbolic link (refused: the file would be written through it)`, spec);
  if (existing && !existing.isFile()) throw new UsageError(`${flag} ${file}: is not a regular file (a FIFO, a device...): refused`, spec);
  return resolved;
}

/**
 * A directory a flag names that the command will create or replace: its parent must exist; an existing path
 * must be a directory (not a symbolic link), empty or holding `keep` (what the command wrote there before).
 */
export function outputDir(flag: string, dir: string, spec: CommandSpec, keep: string): string {
  const resolved = path.resolve(dir);
  const parent = path.dirname(resolved);
  if (!fs.statSync(parent, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`${flag} ${dir}: the directory ${parent} does not exist`, spec);
  const existing = fs.lstatSync(resolved, { throwIfNoEntry: false });
  if (!existing) return resolved;
  if (existing.isSymbolicLink()) throw new UsageError(`${flag} ${dir}: is a symbolic link: refused`, spec);
  if (!existing.isDirectory()) throw new UsageError(`${flag} ${dir}: is not a directory`, spec);
  const entries = fs.readdirSync(resolved);
  if (entries.length > 0 && !entries.includes(keep)) throw new UsageError(`${flag} ${dir}: is not empty and holds no ${keep}: refusing to replace it`, spec);
  return resolved;
}

/** A directory a flag names that the command reads. */
export function inputDir(flag: string, dir: string, spec: CommandSpec): string {
  const stat = fs.statSync(dir, { throwIfNoEntry: false });
  if (!stat) throw new UsageError(`${flag} ${dir}: does not exist`, spec);
  if (!stat.isDirectory()) throw new UsageError(`${flag} ${dir}: is not a directory`, spec);
  return dir;
}
