/**
 * Reads a topology file: YAML (with line numbers) -> structural check (schema.ts) -> cross-field
 * rules (rules.ts) -> model (model.ts). Every problem is collected before anything is built; a
 * topology with problems raises one TopologyError listing them all.
 */
import { Document, LineCounter, isMap, isScalar, isSeq, parseDocument, Node, visit } from "yaml";
import type { core } from "zod";
import * as fs from "fs";
import * as path from "path";
import { policyProblems } from "../aws/endpoint-policies";
import { buildModel, NamedFiles, policyKey, TopologyModel } from "./model";
import { readTextFile, UnreadableFile } from "./files";
import { Problem, TopologyError } from "./problems";
import { closest } from "./suggest";
import { runRules } from "./validate";
import { NAME_PATTERN, Topology, TopologySchema, topologyJsonSchema } from "./schema";

export interface LoadedTopology {
  readonly topology: Topology;
  readonly model: TopologyModel;
}

export interface LoadOptions {
  /**
   * Deploy to a local AWS API emulator at this URL instead of AWS, whatever the file says
   * (`target: { kind: local, endpoint }`).
   */
  readonly targetEndpoint?: string;
  /**
   * Reads a file the topology names (a service's `policyFile`), by its path relative to the topology's
   * directory (already checked: relative, no `..`). `loadTopologyFile` reads the file system, inside the
   * topology's directory only; without a reader, a topology that names a file is refused.
   */
  readonly readNamedFile?: (relative: string) => string;
}

/** Reads and validates a topology file (a regular file of at most MAX_TOPOLOGY_BYTES, UTF-8; see files.ts). */
export function loadTopologyFile(file: string, options: LoadOptions = {}): LoadedTopology {
  let text: string;
  try {
    text = readTextFile(file, { maxBytes: MAX_TOPOLOGY_BYTES });
  } catch (error) {
    if (error instanceof UnreadableFile) throw new TopologyError(file, [{ path: [], message: `cannot be read: it ${error.reason}`, fix: "check the topology's path (--topology or TOPOLOGY)" }]);
    throw error;
  }
  return loadTopologyText(text, file, { readNamedFile: directoryReader(path.dirname(file)), ...options });
}

/** What a file the topology names may weigh (a policy is at most 20,480 characters; indentation aside). */
export const MAX_NAMED_FILE_BYTES = 256 * 1024;

/**
 * Reads files named relative to `dir`, never outside it: a symbolic link that leads out of the directory is
 * refused like a `..` path.
 */
export function directoryReader(dir: string): (relative: string) => string {
  return (relative) => {
    const root = fs.realpathSync(dir);
    const file = path.join(root, relative);
    let real: string;
    try {
      real = fs.realpathSync(file);
    } catch {
      return readTextFile(file, { maxBytes: MAX_NAMED_FILE_BYTES }); // says why (missing, dangling link...)
    }
    if (real !== root && !real.startsWith(root + path.sep)) throw new UnreadableFile(file, "is a symbolic link that leads out of the topology's directory");
    return readTextFile(real, { maxBytes: MAX_NAMED_FILE_BYTES });
  };
}

/** Why a path a topology names may not be read (absolute, `..`, odd characters), or undefined. */
export function namedPathProblem(relative: string): string | undefined {
  if (/[\0-\x1f\x7f\\]/.test(relative)) return "holds a control character or a backslash";
  if (path.posix.isAbsolute(relative)) return "is absolute: name a file in the topology's directory, relative to it";
  if (relative.split("/").some((part) => part === "..")) return "leads out of the topology's directory (..)";
  return undefined;
}

/** Reads and checks the policy files the topology names; problems are located at their `policyFile`. */
function readNamedFiles(topology: Topology, options: LoadOptions): { problems: Problem[]; files: NamedFiles } {
  const problems: Problem[] = [];
  const policies = new Map<string, string>();
  for (const [hub, h] of Object.entries(topology.hubs ?? {})) {
    h.services.forEach((entry, index) => {
      if (typeof entry === "string" || entry.policyFile === undefined) return;
      const at = ["hubs", hub, "services", index, "policyFile"];
      const fix = "name a JSON policy document in the topology's directory (see docs/hub.md, Endpoint policies)";
      const bad = namedPathProblem(entry.policyFile);
      if (bad) return void problems.push({ path: at, message: `${JSON.stringify(entry.policyFile)} ${bad}`, fix });
      if (!options.readNamedFile) return void problems.push({ path: at, message: "names a file, but this topology was not read from a file", fix: "read the topology from its file" });
      let text: string;
      try {
        text = options.readNamedFile(entry.policyFile);
      } catch (error) {
        if (!(error instanceof UnreadableFile)) throw error;
        return void problems.push({ path: at, message: `${JSON.stringify(entry.policyFile)} cannot be read: it ${error.reason}`, fix });
      }
      const wrong = policyProblems(text);
      if (wrong.length > 0) return void problems.push(...wrong.map((w) => ({ path: at, message: `${JSON.stringify(entry.policyFile)} ${w}`, fix })));
      policies.set(policyKey(hub, index), text);
    });
  }
  return { problems, files: { policies } };
}

/** A topology larger than this is refused before parsing (a 1,000-spoke estate is about 0.5 MB). */
export const MAX_TOPOLOGY_BYTES = 16 * 1024 * 1024;
/** Alias expansions allowed when reading YAML: anchors are welcome, a "billion laughs" document is not. */
export const MAX_ALIAS_COUNT = 1000;

/** Validates topology text (YAML or JSON); `source` names it in messages. */
export function loadTopologyText(text: string, source = "topology", options: LoadOptions = {}): LoadedTopology {
  if (Buffer.byteLength(text) > MAX_TOPOLOGY_BYTES) {
    throw new TopologyError(source, [{ path: [], line: 1, message: `is ${(Buffer.byteLength(text) / 2 ** 20).toFixed(1)} MiB, more than the ${MAX_TOPOLOGY_BYTES / 2 ** 20} MiB a topology may be`, fix: "split the estate into several topologies" }]);
  }
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    // merge: YAML merge keys (<<: *anchor), common in large configurations.
    doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, merge: true });
  } catch (error) {
    throw new TopologyError(source, [{ path: [], line: 1, message: `cannot be parsed: ${firstLine((error as Error).message)}`, fix: "fix the YAML syntax" }]);
  }
  if (doc.errors.length > 0) {
    throw new TopologyError(
      source,
      doc.errors.map((e) => ({
        path: [],
        line: lineCounter.linePos(e.pos[0]).line,
        message: e.code === "DUPLICATE_KEY" ? `duplicate key: ${firstLine(e.message)}` : `YAML syntax error: ${firstLine(e.message)}`,
        fix: e.code === "DUPLICATE_KEY" ? "names must be unique within a section; rename or merge the entries" : "fix the YAML syntax",
      })),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const alias = firstAliasOffset(doc);
    const line = alias === undefined ? 1 : lineCounter.linePos(alias).line;
    const exhaustion = error instanceof ReferenceError && /alias/i.test(error.message);
    throw new TopologyError(source, [
      exhaustion
        ? { path: [], line, message: `its aliases expand to more than ${MAX_ALIAS_COUNT} copies (a "billion laughs" document), which is refused`, fix: "use anchors and aliases sparingly, or write the values out" }
        : { path: [], line, message: `cannot be read: ${firstLine((error as Error).message)}`, fix: "fix the YAML (anchors, aliases, merge keys)" },
    ]);
  }
  if (options.targetEndpoint !== undefined && typeof raw === "object" && raw !== null) {
    (raw as Record<string, unknown>).target = { kind: "local", endpoint: options.targetEndpoint };
  }
  const { problems, topology } = check(raw);
  if (problems.length > 0 || !topology) {
    // A key set by an option (TARGET_ENDPOINT) is not in the file: its problems have no line.
    const injected = new Set(options.targetEndpoint !== undefined ? ["target"] : []);
    const located = problems.map((p) => ({ ...p, line: injected.has(String(p.path[0])) ? undefined : lineOf(doc, lineCounter, p.path) }));
    located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    throw new TopologyError(source, located);
  }
  const named = readNamedFiles(topology, options);
  if (named.problems.length > 0) throw new TopologyError(source, named.problems.map((p) => ({ ...p, line: lineOf(doc, lineCounter, p.path) })));
  return { topology, model: buildModel(topology, named.files) };
}

/** Structural and cross-field problems of a parsed document (no line numbers). */
export function validateDocument(raw: unknown): Problem[] {
  return check(raw).problems;
}

/** Every problem of the document, and the typed topology when there is none (the schema runs once). */
function check(raw: unknown): { problems: Problem[]; topology?: Topology } {
  const parsed = TopologySchema.safeParse(raw);
  const structural = parsed.success ? [] : parsed.error.issues.flatMap((issue) => describeIssue(issue, raw, []));
  const semantic = runRules(raw, parsed.success);
  // A rule may restate a structural finding at the same path; keep the first.
  const seen = new Set<string>();
  const problems = [...structural, ...semantic].filter((p) => {
    const key = `${JSON.stringify(p.path)}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { problems, topology: parsed.success && problems.length === 0 ? parsed.data : undefined };
}

/** Offset of the first alias (`*name`) in the document, to locate alias problems. */
function firstAliasOffset(doc: Document): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}

function firstLine(message: string): string {
  return message.split("\n")[0];
}

function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = raw;
  for (const part of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[part as string];
  }
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${JSON.stringify(value)}`;
}

const GENERIC = /^(Invalid|Too (small|big)|Unrecognized)/;

/** Turns one zod issue into problems with a message a person can act on. */
function describeIssue(issue: core.$ZodIssue, raw: unknown, prefix: PropertyKey[]): Problem[] {
  const path = [...prefix, ...issue.path] as Array<string | number>;
  const value = valueAt(raw, path);
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = knownKeys(path, raw);
      return issue.keys.map((key) => {
        const suggestion = closest(key, known);
        return {
          path: [...path, key],
          message: `unknown key "${key}"`,
          fix: suggestion ? `did you mean "${suggestion}"?` : `remove it; keys allowed here: ${known.join(", ")}`,
        };
      });
    }
    case "invalid_key": {
      // A record key (a name) that is not valid: say so about the key, not its value.
      const key = String(path[path.length - 1]);
      const reasons = ("issues" in issue ? (issue.issues as Array<{ message: string }>) : []).map((i) => i.message);
      const renamed = key.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^[^a-z]+|-+$/g, "").slice(0, 40);
      return [
        {
          path,
          message: `the name ${JSON.stringify(key)} is not valid: ${reasons.join("; ") || "it does not match the allowed names"}`,
          fix: renamed && NAME_PATTERN.test(renamed) && path[0] !== "tags" ? `rename it, e.g. ${renamed}` : "rename it",
        },
      ];
    }
    case "invalid_type":
      if (value === undefined) return [{ path, message: "is required", fix: `add ${String(path[path.length - 1])}:` }];
      return [{ path, message: GENERIC.test(issue.message) ? `must be ${article(issue.expected)}, not ${describe(value)}` : issue.message }];
    case "invalid_union": {
      // Report the branch that matches the value's type (a mapping vs a plain string), if one does.
      const branches = "errors" in issue ? issue.errors : [];
      const typed = branches.find((errs) => errs.length > 0 && !errs.some((e) => e.code === "invalid_type" && e.path.length === 0));
      if (typed) return typed.flatMap((e) => describeIssue(e, raw, path));
      const unionPath = path[path.length - 1] === "kind" ? path.slice(0, -1) : path;
      const kinds = discriminatorValues(unionPath);
      if (kinds.length > 0) {
        const got = describe(valueAt(raw, [...unionPath, "kind"]));
        return [{ path: [...unionPath, "kind"], message: `must be one of: ${kinds.join(", ")} (got ${got})`, fix: `set kind: to ${kinds.join(" or ")}` }];
      }
      return [{ path, message: `is not valid here (got ${describe(value)})` }];
    }
    case "too_small":
      return [{ path, message: GENERIC.test(issue.message) ? `is too short or too small (minimum ${String(issue.minimum)})` : issue.message }];
    case "invalid_value":
      return [{ path, message: `must be one of: ${issue.values.map(String).join(", ")} (got ${describe(value)})` }];
    default:
      return [{ path, message: GENERIC.test(issue.message) ? `${issue.message} (got ${describe(value)})` : issue.message }];
  }
}

function article(expected: string): string {
  const noun = expected === "object" || expected === "record" ? "mapping" : expected === "array" ? "list" : expected;
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  const?: unknown;
};

let cachedJsonSchema: JsonSchema | undefined;

/** Nodes of the JSON Schema that describe the value at `path` (several when a union is involved). */
function schemaNodesAt(path: ReadonlyArray<string | number>, raw: unknown): JsonSchema[] {
  cachedJsonSchema ??= topologyJsonSchema() as JsonSchema;
  let nodes: JsonSchema[] = [cachedJsonSchema];
  path.forEach((part, depth) => {
    const value = valueAt(raw, path.slice(0, depth + 1));
    nodes = nodes.flatMap(expandUnion).flatMap((node) => {
      if (typeof part === "number") return node.items ? [node.items] : [];
      const property = node.properties?.[part];
      if (property) return [property];
      return typeof node.additionalProperties === "object" ? [node.additionalProperties] : [];
    });
    nodes = nodes.flatMap(expandUnion).filter((node) => matchesDiscriminator(node, value));
  });
  return nodes.flatMap(expandUnion);
}

function expandUnion(node: JsonSchema): JsonSchema[] {
  const options = node.anyOf ?? node.oneOf;
  return options ? options.flatMap(expandUnion) : [node];
}

function matchesDiscriminator(node: JsonSchema, value: unknown): boolean {
  const kind = node.properties?.kind?.const;
  if (kind === undefined || value === null || typeof value !== "object") return true;
  return (value as Record<string, unknown>).kind === kind;
}

function knownKeys(path: ReadonlyArray<string | number>, raw: unknown): string[] {
  return [...new Set(schemaNodesAt(path, raw).flatMap((node) => Object.keys(node.properties ?? {})))];
}

function discriminatorValues(path: ReadonlyArray<string | number>): string[] {
  cachedJsonSchema ??= topologyJsonSchema() as JsonSchema;
  const nodes = schemaNodesAt(path, undefined);
  return nodes.map((n) => n.properties?.kind?.const).filter((k): k is string => typeof k === "string");
}

/** 1-based line of the node at `path` (of the key itself for mapping entries), or of its nearest ancestor. */
export function lineOf(doc: Document, lineCounter: LineCounter, path: ReadonlyArray<string | number>): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined;
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === part);
      if (!pair) break;
      offset = (pair.key as Node | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof part === "number" && node.items[part]) {
      node = node.items[part];
      offset = (node as Node).range?.[0] ?? offset;
    } else {
      break;
    }
  }
  // A missing key (a required field, say): the line of its parent, here the document itself.
  offset ??= (doc.contents as Node | null)?.range?.[0];
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}
