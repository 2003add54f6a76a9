/**
 * The imports file: what `privatelink import` adopted, next to the topology (`<dir>/<stem>.imports.json`,
 * committed with it). Synth turns each entry into a Terraform `import` block (terraform >= 1.5) in its
 * stack, so the first plan adopts the resources built by hand instead of creating new ones; once they are
 * in the state the blocks are no-ops (terraform skips an import whose address already holds the object).
 *
 * The file names Terraform addresses as synth produces them: `privatelink import` found them by
 * synthesizing the topology it wrote (one owner: the stacks). An entry whose stack or address is no longer
 * in the configuration (a service removed since the adoption) is dropped with a warning: an import block
 * without its resource is an error in terraform.
 */
import * as path from "path";
import { z } from "zod";
import { TerraformResource, TerraformStack } from "../framework/core";
import { readJsonFile, writeFileAtomic } from "../topology/files";
import { escapeTemplate } from "../modules/literals";
import { UpstreamOutputs } from "../modules/upstream-outputs";

export const IMPORTS_VERSION = 1;

/** A resource address of a stack: `<type>.<name>`, as `named()` gives them. */
export const ADDRESS_PATTERN = /^aws_[a-z0-9_]+\.[A-Za-z0-9_-]+$/;
/** Import ids of the resources adopted: AWS ids, ARNs, record ids (`Z..._*.name_A`), rule ids. */
export const IMPORT_ID_PATTERN = /^[A-Za-z0-9_.:/*,@+=-]{1,512}$/;

const stackName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/, { error: "must be a stack name" });

const entrySchema = z.strictObject({
  stack: stackName,
  to: z.string().regex(ADDRESS_PATTERN, { error: "must be a resource address such as aws_vpc_endpoint.ssm" }),
  id: z.string().regex(IMPORT_ID_PATTERN, { error: "must be an AWS id (letters, digits and _ . : / * , @ + = -)" }),
  /** What was found, for reviewers (e.g. "zone ssm.ap-northeast-1.amazonaws.com"). */
  what: z.string().max(300).optional(),
});

const fileSchema = z.strictObject({
  version: z.literal(IMPORTS_VERSION),
  topology: z.string().min(1),
  imports: z.array(entrySchema).max(100_000),
  /**
   * Outputs an adopted stack will have once its imports are applied (an adopted endpoint service's name and
   * id): its downstream stacks read them while its state does not hold them yet, so that their own imports
   * plan against the real values instead of placeholders (which would show the adopted consumer endpoint
   * as replaced).
   */
  outputs: z.record(stackName, z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, { error: "must be an output name" }), z.string().regex(IMPORT_ID_PATTERN, { error: "must be an AWS id or name" }))).optional(),
});

export type ImportEntry = z.infer<typeof entrySchema>;
export type ImportsFile = z.infer<typeof fileSchema>;

export class ImportsError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = "ImportsError";
  }
}

/** The imports file of a topology file: `<dir>/<stem>.imports.json`. */
export function importsFileFor(topologyFile: string): string {
  const parsed = path.parse(topologyFile);
  return path.join(parsed.dir, `${parsed.name}.imports.json`);
}

/** The file's entries; undefined when there is no file. Anything else than a valid file is an ImportsError. */
export function readImports(file: string, topologyName: string): ImportsFile | undefined {
  const imports = readJsonFile(file, fileSchema, 32 * 1024 * 1024, (reason) => new ImportsError(file, reason));
  if (!imports) return undefined;
  if (imports.topology !== topologyName) {
    throw new ImportsError(file, `was written for topology "${imports.topology}", not "${topologyName}": use the imports file of this topology`);
  }
  const seen = new Map<string, string>();
  for (const [i, entry] of imports.imports.entries()) {
    const key = `${entry.stack} ${entry.to}`;
    const other = seen.get(key);
    if (other !== undefined && other !== entry.id) throw new ImportsError(file, `imports[${i}]: ${entry.stack} ${entry.to} is imported twice (${other}, ${entry.id})`);
    seen.set(key, entry.id);
  }
  return imports;
}

/** Writes an imports file atomically (sorted, so a re-import of the same estate leaves git clean). */
export function writeImports(file: string, imports: ImportsFile): void {
  const sorted = [...imports.imports].sort((a, b) => a.stack.localeCompare(b.stack) || a.to.localeCompare(b.to));
  const outputs = imports.outputs && Object.keys(imports.outputs).length > 0 ? { outputs: imports.outputs } : {};
  const text = `${JSON.stringify({ version: imports.version, topology: imports.topology, imports: sorted, ...outputs }, null, 2)}\n`;
  writeFileAtomic(file, text);
}

/** The resources of a stack by address. */
export function resourcesByAddress(stack: TerraformStack): Map<string, TerraformResource> {
  const found = new Map<string, TerraformResource>();
  for (const construct of stack.node.findAll()) {
    if (!TerraformResource.isTerraformResource(construct)) continue;
    const resource = construct as TerraformResource;
    found.set(`${resource.terraformResourceType}.${resource.friendlyUniqueId}`, resource);
  }
  return found;
}

/**
 * Adds the import blocks of the entries to their stacks (with each resource's own provider, so an aliased
 * account/region provider imports in the right account). Returns the entries left out: stack or address gone.
 */
export function applyImports(stacks: readonly TerraformStack[], imports: ImportsFile): ImportEntry[] {
  const byStack = new Map(stacks.map((s) => [s.node.id, s]));
  const blocks = new Map<TerraformStack, Array<Record<string, string>>>();
  const ignored: ImportEntry[] = [];
  const resources = new Map<TerraformStack, Map<string, TerraformResource>>();
  for (const entry of imports.imports) {
    const stack = byStack.get(entry.stack);
    if (!stack) {
      ignored.push(entry);
      continue;
    }
    if (!resources.has(stack)) resources.set(stack, resourcesByAddress(stack));
    const resource = resources.get(stack)!.get(entry.to);
    if (!resource) {
      ignored.push(entry);
      continue;
    }
    const block: Record<string, string> = { to: entry.to, id: escapeTemplate(entry.id) };
    if (resource.provider) block.provider = resource.provider.fqn;
    if (!blocks.has(stack)) blocks.set(stack, []);
    blocks.get(stack)!.push(block);
  }
  for (const [stack, list] of blocks) stack.addOverride("import", list);
  // Downstream stacks read an adopted stack's known outputs until its state holds them.
  for (const stack of imports.outputs ? stacks : []) {
    for (const construct of stack.node.findAll()) {
      if (construct instanceof UpstreamOutputs && imports.outputs?.[construct.stackName]) construct.assumeUntilApplied(imports.outputs[construct.stackName]);
    }
  }
  return ignored;
}
