/**
 * Renders a synthesized `cdk.tf.json` as native HCL that `terraform validate` accepts with no
 * warnings and that parses back to the same configuration:
 * - an expression that is a whole `"${...}"` template is written bare (no interpolation-only strings);
 * - keywords and references stay bare (`provider = aws.x`, `depends_on = [a.b]`, `ignore_changes = [vpc]`,
 *   `when = destroy`);
 * - nested blocks are written as blocks and attributes as attributes, which JSON cannot tell apart:
 *   that knowledge comes from the provider bindings' HCL metadata (`toHclTerraform()`), collected per
 *   resource type by `collectBlockPaths`;
 * - `=` signs are aligned like `terraform fmt` does.
 */
import { escapeTemplate } from "../modules/literals";
import { DefaultTokenResolver, StringConcat, TerraformDataSource, TerraformProvider, TerraformResource, TerraformStack, Tokenization } from "../framework/core";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** For each `resource.<type>`, `data.<type>` and `provider.<name>`: dotted attribute paths that are nested blocks. */
export type BlockPaths = Map<string, Set<string>>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The top-level keys of a config whose values are objects/lists of objects: the ones that may be blocks. */
function structuralSignature(config: Json | undefined): string {
  if (!isObject(config)) return "";
  return Object.keys(config)
    .filter((k) => k !== "//" && (isObject(config[k]) || (Array.isArray(config[k]) && (config[k] as Json[]).some(isObject))))
    .sort()
    .join(",");
}

/**
 * Asks the bindings which attributes of each element are blocks. One call per (type, structural
 * signature) is enough: elements of a type share their schema, so large stacks cost no more than small ones.
 */
export function collectBlockPaths(stack: TerraformStack, config: JsonObject): BlockPaths {
  const paths: BlockPaths = new Map();
  const seen = new Set<string>();
  const resolver = new DefaultTokenResolver(new StringConcat());
  for (const node of stack.node.findAll()) {
    let kind: string;
    let type: string;
    let json: Json | undefined;
    if (node instanceof TerraformResource && !(node instanceof TerraformDataSource)) {
      kind = "resource";
      type = node.terraformResourceType;
      json = (config.resource as JsonObject | undefined)?.[type]?.[node.friendlyUniqueId as never];
    } else if (node instanceof TerraformDataSource) {
      kind = "data";
      type = node.terraformResourceType;
      json = (config.data as JsonObject | undefined)?.[type]?.[node.friendlyUniqueId as never];
    } else if (node instanceof TerraformProvider) {
      kind = "provider";
      type = node.terraformResourceType;
      const all = (config.provider as JsonObject | undefined)?.[type];
      json = Array.isArray(all) ? all.find((p) => isObject(p) && p.alias === node.alias) : undefined;
    } else {
      continue;
    }
    const key = `${kind}.${type}`;
    const signature = `${key}|${structuralSignature(json)}`;
    if (seen.has(signature)) continue;
    seen.add(signature);
    const hcl = Tokenization.resolve(node.toHclTerraform(), { scope: stack, resolver, preparing: false }) as JsonObject;
    const section = hcl[kind] as JsonObject | undefined;
    const byType = section?.[type];
    const bodies: Json[] = Array.isArray(byType) ? byType : isObject(byType) ? (kind === "provider" ? [byType] : Object.values(byType)) : [];
    const set = paths.get(key) ?? new Set<string>();
    for (const body of bodies) if (isObject(body)) addBlockPaths(body, "", set);
    paths.set(key, set);
  }
  return paths;
}

function addBlockPaths(attributes: JsonObject, prefix: string, out: Set<string>): void {
  for (const [name, meta] of Object.entries(attributes)) {
    if (!isObject(meta) || !("value" in meta)) continue;
    const isBlock = meta.isBlock ?? meta.is_block;
    if (isBlock !== true) continue;
    const path = prefix === "" ? name : `${prefix}.${name}`;
    out.add(path);
    const nested = Array.isArray(meta.value) ? meta.value : [meta.value];
    for (const item of nested) if (isObject(item)) addBlockPaths(item, path, out);
  }
}

// ---------------------------------------------------------------------------------------------
// Templates and expressions

/** Splits a Terraform template into literal text and `${...}` / `%{...}` sequences. */
function templateParts(text: string): Array<{ literal: boolean; text: string }> {
  const parts: Array<{ literal: boolean; text: string }> = [];
  let literal = "";
  let i = 0;
  while (i < text.length) {
    const two = text.slice(i, i + 2);
    if ((two === "$$" || two === "%%") && text[i + 2] === "{") {
      literal += text.slice(i, i + 3); // escaped sequence, stays literal
      i += 3;
      continue;
    }
    if ((two === "${" || two === "%{") && text.length > i + 2) {
      const end = matchingBrace(text, i + 1);
      if (end > 0) {
        if (literal) parts.push({ literal: true, text: literal });
        literal = "";
        parts.push({ literal: false, text: text.slice(i, end + 1) });
        i = end + 1;
        continue;
      }
    }
    literal += text[i];
    i++;
  }
  if (literal) parts.push({ literal: true, text: literal });
  return parts;
}

/** Index of the `}` closing the `{` at `open`, skipping quoted strings inside the expression; -1 if none. */
function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i = endOfQuoted(text, i);
      if (i < 0) return -1;
    } else if (c === "{") depth++;
    else if (c === "}") {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** Index of the closing quote of the string starting at `start` (templates nest). */
function endOfQuoted(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") i++;
    else if (c === '"') return i;
    else if ((c === "$" || c === "%") && text[i + 1] === "{") {
      const end = matchingBrace(text, i + 1);
      if (end < 0) return -1;
      i = end;
    }
  }
  return -1;
}

/**
 * Collapses the line breaks of an expression (outside its string literals) the way `terraform fmt` would
 * leave a one-line expression: no space after an opening or before a closing bracket, one space elsewhere.
 * Heredocs inside an interpolation cannot be collapsed and are refused.
 */
function collapseNewlines(expression: string): string {
  if (!/[\r\n]/.test(expression)) return expression;
  if (/<<-?[A-Za-z]/.test(expression)) throw new Error(`cannot render a multi-line interpolation holding a heredoc as HCL: ${expression.slice(0, 60)}`);
  let out = "";
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === '"') {
      const end = endOfQuoted(expression, i);
      const stop = end < 0 ? expression.length - 1 : end;
      out += expression.slice(i, stop + 1);
      i = stop;
      continue;
    }
    if (/\s/.test(c)) {
      let j = i;
      while (j < expression.length && /\s/.test(expression[j])) j++;
      const run = expression.slice(i, j);
      const before = out[out.length - 1] ?? "";
      const after = expression[j] ?? "";
      if (/[\r\n]/.test(run)) out += /[([{]/.test(before) || /[)\]},]/.test(after) || before === "" ? "" : " ";
      else out += run;
      i = j - 1;
      continue;
    }
    out += c;
  }
  return out;
}

/**
 * A template sequence (`${...}` or `%{...}`) as `terraform fmt` writes it: no whitespace just inside the
 * markers (strip markers `~` stay adjacent), no line breaks. Meaning is unchanged.
 */
export function normalizeSequence(sequence: string): string {
  const match = /^([$%]\{)(~?)([\s\S]*?)(~?)\}$/.exec(sequence);
  if (!match) return sequence;
  const [, open, left, inner, right] = match;
  return `${open}${left}${collapseNewlines(inner).trim()}${right}}`;
}

/** A whole template string with its sequences normalized (see `normalizeSequence`); literal text untouched. */
export function normalizeTemplate(text: string): string {
  return templateParts(text)
    .map((p) => (p.literal ? p.text : normalizeSequence(p.text)))
    .join("");
}

/** A JSON value whose strings are literal text (backend settings) as templates that say the same. */
function literalStrings(value: unknown): unknown {
  if (typeof value === "string") return escapeTemplate(value);
  if (Array.isArray(value)) return value.map(literalStrings);
  if (isObject(value as Json)) return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, literalStrings(v)]));
  return value;
}

function escapeLiteral(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t");
}

/** A quoted template: literal text escaped, sequences written verbatim (normalized), never re-escaped. */
function quotedTemplate(parts: Array<{ literal: boolean; text: string }>): string {
  return `"${parts.map((p) => (p.literal ? escapeLiteral(p.text) : normalizeSequence(p.text))).join("")}"`;
}

/** A string value: bare expression when it is exactly one interpolation, else a quoted template. */
function renderString(text: string): string {
  const parts = templateParts(text);
  if (parts.length === 1 && !parts[0].literal && parts[0].text.startsWith("${") && !/^\$\{~|~\}$/.test(parts[0].text)) {
    return collapseNewlines(parts[0].text.slice(2, -1)).trim();
  }
  return quotedTemplate(parts);
}

/** A reference written where Terraform wants a bare traversal (`provider`, `depends_on`, `ignore_changes`...). */
function renderTraversal(text: string): string {
  const match = /^\$\{([\s\S]*)\}$/.exec(text);
  return (match ? match[1] : text).trim();
}

const quoted = (label: string) => `"${escapeLiteral(label)}"`;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const RESERVED_KEYS = new Set(["true", "false", "null", "for", "in", "if"]);

/** An object key: bare when it is an identifier, else quoted; a key holding an interpolation keeps it live. */
function renderKey(key: string): string {
  if (IDENTIFIER.test(key) && !RESERVED_KEYS.has(key)) return key;
  return quotedTemplate(templateParts(key));
}

/** An attribute value (expression). Lists and objects go multi-line when they hold objects or are long. */
function renderValue(value: Json, indent: string): string {
  if (value === null) return "null";
  if (typeof value === "string") return renderString(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  const inner = indent + "  ";
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const items = value.map((v) => renderValue(v, inner));
    const oneLine = `[${items.join(", ")}]`;
    if (oneLine.length <= 100 && !items.some((i) => i.includes("\n"))) return oneLine;
    return `[\n${items.map((i) => `${inner}${i},`).join("\n")}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return "{}";
  return `{\n${alignedLines(entries.map(([k, v]) => ({ key: renderKey(k), value: renderValue(v, inner) })), inner)}\n${indent}}`;
}

/** `key = value` lines with `=` aligned across runs of single-line attributes, as `terraform fmt` does. */
function alignedLines(lines: Array<{ key: string; value: string }>, indent: string): string {
  const out: string[] = [];
  let run: Array<{ key: string; value: string }> = [];
  const flush = () => {
    const width = Math.max(0, ...run.map((l) => l.key.length));
    for (const l of run) out.push(`${indent}${l.key.padEnd(width)} = ${l.value}`);
    run = [];
  };
  for (const line of lines) {
    if (line.value.includes("\n")) {
      // A multi-line value ends the run and is not padded itself.
      flush();
      out.push(`${indent}${line.key} = ${line.value}`);
    } else {
      run.push(line);
    }
  }
  flush();
  return out.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Bodies and blocks

type BodyItem = { kind: "attr"; key: string; value: string } | { kind: "block"; text: string };

interface BodyContext {
  /** Block paths of the element type being rendered. */
  readonly blocks: ReadonlySet<string>;
  /** Dotted path of this body inside the element ("" at the top). */
  readonly path: string;
  /**
   * element: top of a resource/data/output (meta-arguments apply); lifecycle and provisioner: bodies
   * whose keyword arguments are written bare; nested: any other block.
   */
  readonly role: "element" | "lifecycle" | "provisioner" | "variable" | "nested";
}

const NO_BLOCKS: ReadonlySet<string> = new Set();
const nested = (blocks: ReadonlySet<string> = NO_BLOCKS): BodyContext => ({ blocks, path: "", role: "nested" });

function renderBody(body: JsonObject, ctx: BodyContext, indent: string): string {
  const items: BodyItem[] = [];
  const attr = (key: string, value: string) => items.push({ kind: "attr", key, value });
  const block = (header: string, content: JsonObject, child: BodyContext) =>
    items.push({ kind: "block", text: renderBlock(header, content, child, indent) });

  for (const [key, value] of Object.entries(body)) {
    if (key === "//") continue;
    const path = ctx.path === "" ? key : `${ctx.path}.${key}`;
    const element = ctx.role === "element";
    if (element && key === "provider" && typeof value === "string") {
      attr(key, renderTraversal(value));
    } else if (element && key === "depends_on" && Array.isArray(value)) {
      attr(key, `[${value.map((v) => renderTraversal(String(v))).join(", ")}]`);
    } else if (element && key === "lifecycle" && isObject(value)) {
      block("lifecycle", value, { blocks: new Set(["precondition", "postcondition"]), path: "", role: "lifecycle" });
    } else if (element && key === "connection") {
      for (const entry of Array.isArray(value) ? value : [value]) if (isObject(entry)) block("connection", entry, nested());
    } else if (element && key === "provisioner") {
      for (const entry of Array.isArray(value) ? value : [value]) {
        if (!isObject(entry)) continue;
        for (const [type, config] of Object.entries(entry)) {
          if (isObject(config)) block(`provisioner ${quoted(type)}`, config, { blocks: new Set(["connection"]), path: "", role: "provisioner" });
        }
      }
    } else if (key === "dynamic" && isObject(value)) {
      for (const [name, spec] of Object.entries(value)) {
        if (!isObject(spec)) continue;
        const { content, ...rest } = spec;
        const contentPath = ctx.path === "" ? name : `${ctx.path}.${name}`;
        const contentBlock = isObject(content)
          ? renderBlock("content", content, { ...ctx, path: contentPath, role: "nested" }, indent + "  ")
          : undefined;
        items.push({ kind: "block", text: renderBlock(`dynamic ${quoted(name)}`, rest, nested(), indent, contentBlock) });
      }
    } else if (ctx.role === "variable" && key === "type" && typeof value === "string") {
      // A type constraint is an expression (bool, list(string)); Terraform JSON writes it as a string.
      attr(key, value);
    } else if (ctx.role === "variable" && key === "validation") {
      for (const entry of Array.isArray(value) ? value : [value]) if (isObject(entry)) block("validation", entry, nested());
    } else if (ctx.role === "provisioner" && (key === "when" || key === "on_failure") && typeof value === "string") {
      attr(key, renderTraversal(value));
    } else if (ctx.role === "lifecycle" && (key === "ignore_changes" || key === "replace_triggered_by") && Array.isArray(value)) {
      attr(key, `[${value.map((v) => renderTraversal(String(v))).join(", ")}]`);
    } else if (ctx.role === "lifecycle" && key === "ignore_changes" && value === "all") {
      attr(key, "all");
    } else if (ctx.blocks.has(path)) {
      for (const entry of Array.isArray(value) ? value : [value]) {
        if (isObject(entry)) block(key, entry, { ...ctx, path, role: "nested" });
      }
    } else {
      attr(key, renderValue(value, indent));
    }
  }

  // Attributes first (aligned), then blocks, each block separated by a blank line.
  const attrs = items.filter((i): i is Extract<BodyItem, { kind: "attr" }> => i.kind === "attr");
  const blocks = items.filter((i): i is Extract<BodyItem, { kind: "block" }> => i.kind === "block");
  const sections: string[] = [];
  if (attrs.length > 0) sections.push(alignedLines(attrs, indent));
  for (const b of blocks) sections.push(b.text);
  return sections.join("\n\n");
}

function renderBlock(header: string, body: JsonObject, ctx: BodyContext, indent: string, extra?: string): string {
  const inner = renderBody(body, ctx, indent + "  ");
  const content = [inner, extra].filter((s) => s !== undefined && s !== "").join("\n\n");
  return content === "" ? `${indent}${header} {\n${indent}}` : `${indent}${header} {\n${content}\n${indent}}`;
}

/** Renders a whole `cdk.tf.json` configuration as HCL. */
export function renderHcl(config: JsonObject, blockPaths: BlockPaths): string {
  const out: string[] = [];
  const none = nested();

  const terraform = config.terraform;
  if (isObject(terraform)) {
    const sections: string[] = [];
    const { backend, required_providers: requiredProviders, cloud, ...rest } = terraform;
    const attrs = renderBody(rest, none, "  ");
    if (attrs) sections.push(attrs);
    if (isObject(requiredProviders)) sections.push(renderBlock("required_providers", requiredProviders, none, "  "));
    if (isObject(backend)) {
      for (const [type, settings] of Object.entries(backend)) {
        // Backend settings are all attributes (the S3 backend's assume_role and endpoints are objects, not blocks).
        // In JSON, backend settings are literal text; in HCL they are templates: `${` is written `$${`.
        if (isObject(settings)) sections.push(renderBlock(`backend ${quoted(type)}`, literalStrings(settings) as Record<string, Json>, none, "  "));
      }
    }
    if (isObject(cloud)) sections.push(renderBlock("cloud", cloud, { ...none, blocks: new Set(["workspaces"]) }, "  "));
    out.push(`terraform {\n${sections.join("\n\n")}\n}`);
  }

  const providers = config.provider;
  if (isObject(providers)) {
    for (const [name, list] of Object.entries(providers)) {
      for (const settings of Array.isArray(list) ? list : [list]) {
        if (isObject(settings)) {
          const blocks = blockPaths.get(`provider.${name}`) ?? new Set<string>();
          out.push(renderBlock(`provider ${quoted(name)}`, settings, nested(blocks), ""));
        }
      }
    }
  }

  if (isObject(config.locals)) out.push(`locals {\n${renderBody(config.locals, none, "  ")}\n}`);

  for (const kind of ["variable", "data", "resource", "output", "module"] as const) {
    const section = config[kind];
    if (!isObject(section)) continue;
    if (kind === "variable" || kind === "output" || kind === "module") {
      for (const [name, body] of Object.entries(section)) {
        if (isObject(body)) out.push(renderBlock(`${kind} ${quoted(name)}`, body, { blocks: NO_BLOCKS, path: "", role: kind === "variable" ? "variable" : "element" }, ""));
      }
      continue;
    }
    for (const [type, instances] of Object.entries(section)) {
      if (!isObject(instances)) continue;
      const blocks = blockPaths.get(`${kind}.${type}`) ?? new Set<string>();
      for (const [name, body] of Object.entries(instances)) {
        if (isObject(body)) out.push(renderBlock(`${kind} ${quoted(type)} ${quoted(name)}`, body, { blocks, path: "", role: "element" }, ""));
      }
    }
  }
  // Import blocks (synth/imports.ts): `to` and `provider` are references, `id` a string.
  for (const block of Array.isArray(config.import) ? config.import : []) {
    if (!isObject(block) || typeof block.to !== "string" || typeof block.id !== "string") continue;
    const lines = [`  to = ${renderTraversal(block.to)}`, `  id = ${renderString(block.id)}`];
    if (typeof block.provider === "string") lines.push(`  provider = ${renderTraversal(block.provider)}`);
    out.push(`import {\n${lines.join("\n")}\n}`);
  }
  return `${out.join("\n\n")}\n`;
}
