/**
 * The estate record: what the topology deployed, kept next to it (`<topology>.estate.json`, committed
 * with it). Removing a spoke, a consumer, a service or a hub from the topology removes it from the
 * configuration, and Terraform neither destroys a stack that is no longer there nor runs the
 * destroy-time provisioners of a resource block that is gone. With the record, synth keeps what was
 * removed in the output, **retired**, until its state is empty:
 *
 * - a retired stack: its backend and providers only (plus, for a script-mode spoke, its pairs with
 *   `count = 0`, so each disassociate runs): an apply destroys what its state still holds;
 * - a retired pair of a spoke that stays (a service removed from its hub): the pair with `count = 0`.
 *
 * A retired entry leaves the record once its state is known to be empty: at synth for the local backend
 * (the state file is read), after `privatelink deploy` for any backend (`terraform state list`).
 */
import * as fs from "fs";
import * as path from "path";
import { Construct } from "constructs";
import { z } from "zod";
import { AccountModel, TopologyModel } from "../topology/model";
import { readJsonFile, writeFileAtomic } from "../topology/files";
import { tfName } from "../modules/naming";
import { ACCOUNT_ID, REGION, ROLE_ARN, VPC_ID } from "../aws/patterns";
import { BuiltStacks } from "../stacks";
import { PrivateLinkStack } from "../stacks/base-stack";
import { RetiredStack } from "../stacks/retired-stack";

export const ESTATE_VERSION = 1;

const providerSchema = z.strictObject({
  alias: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/),
  account: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/),
  accountId: z.string().regex(ACCOUNT_ID),
  roleArn: z.string().regex(ROLE_ARN),
  region: z.string().regex(REGION),
});

const zoneName = z.string().regex(/^[a-z0-9*][a-z0-9.*-]{0,252}$/);

/** A stack's name as synth makes them (role prefix + topology names of at most 40 characters). */
const stackName = z.string().max(200).regex(/^[A-Za-z][A-Za-z0-9_-]*$/);

const stackSchema = z.strictObject({
  role: z.enum(["hub", "spoke", "provider", "consumer"]),
  vpcId: z.string().regex(VPC_ID),
  upstreams: z.array(stackName),
  providers: z.array(providerSchema),
  spoke: z
    .strictObject({
      association: z.enum(["script", "native", "profile"]),
      vpcRegion: z.string().regex(REGION),
      zoneRoleArn: providerSchema.shape.roleArn,
      vpcRoleArn: providerSchema.shape.roleArn,
      pairs: z.array(zoneName),
      retiredPairs: z.array(zoneName).optional(),
    })
    .optional(),
  retired: z.literal(true).optional(),
});

const recordSchema = z.strictObject({
  version: z.literal(ESTATE_VERSION),
  topology: z.string(),
  stacks: z.record(stackName, stackSchema),
});

export type EstateProvider = z.infer<typeof providerSchema>;
export type EstateStack = z.infer<typeof stackSchema>;
export type EstateRecord = z.infer<typeof recordSchema>;

/** The record is unreadable or not a record: bad input, named. */
export class EstateError extends Error {
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${detail}\n  fix: restore it from version control (it is written by synth; never edit it by hand), or delete it if nothing of this topology was ever deployed`);
    this.name = "EstateError";
  }
}

/** Retired stacks wait for the stacks they read from: a record in which they wait for each other is refused. */
function assertNoCycle(file: string, record: EstateRecord): void {
  const state = new Map<string, "visiting" | "done">();
  const visit = (stack: string, trail: string[]): void => {
    if (state.get(stack) === "done") return;
    if (state.get(stack) === "visiting") throw new EstateError(file, `stacks ${[...trail.slice(trail.indexOf(stack)), stack].join(" -> ")} read from each other in a circle: no order can apply them`);
    state.set(stack, "visiting");
    for (const upstream of record.stacks[stack]?.upstreams ?? []) if (record.stacks[upstream]) visit(upstream, [...trail, stack]);
    state.set(stack, "done");
  };
  for (const stack of Object.keys(record.stacks)) visit(stack, []);
}

/** Reads and validates a record; undefined when the file does not exist (nothing recorded yet). */
export function readEstate(file: string): EstateRecord | undefined {
  return readJsonFile(file, recordSchema, 64 * 1024 * 1024, (reason) => new EstateError(file, reason));
}

/** Writes the record atomically, and only when its content changes (a re-synth leaves git clean). */
export function writeEstate(file: string, record: EstateRecord): boolean {
  const text = `${JSON.stringify(sortRecord(record), null, 2)}\n`;
  if (fs.existsSync(file) && fs.readFileSync(file, "utf8") === text) return false;
  writeFileAtomic(file, text);
  return true;
}

function sortRecord(record: EstateRecord): EstateRecord {
  return { version: record.version, topology: record.topology, stacks: Object.fromEntries(Object.entries(record.stacks).sort(([a], [b]) => a.localeCompare(b))) };
}

/** The record file of a topology file: `<dir>/<stem>.estate.json`. */
export function estateFileFor(topologyFile: string): string {
  const parsed = path.parse(topologyFile);
  return path.join(parsed.dir, `${parsed.name}.estate.json`);
}

/** What a stack's state holds, as `type.name` addresses with at least one instance; undefined when unknown. */
export type StateReader = (stackName: string) => readonly string[] | undefined;

/** Reads local state files (`terraform.<topology>.<stack>.tfstate`): a missing file is an empty state. */
export function localStateReader(stateFile: (stack: string) => string): StateReader {
  return (stack) => {
    const file = stateFile(stack);
    if (!fs.existsSync(file)) return [];
    try {
      const state = JSON.parse(fs.readFileSync(file, "utf8"));
      return (state.resources ?? [])
        .filter((r: any) => r.mode === "managed" && (r.instances ?? []).length > 0)
        .map((r: any) => `${r.module ? `${r.module}.` : ""}${r.type}.${r.name}`);
    } catch {
      return undefined;
    }
  };
}

/** The address of a script-mode pair (`terraform_data.phz_<zone>`), as ZoneAssociationScript names it. */
export function pairAddress(zone: string): string {
  return `terraform_data.${tfName("phz", zone)}`;
}

/** What the current topology has, per stack: the record entries it would write (before retirements). */
export interface CurrentStack {
  readonly name: string;
  readonly entry: EstateStack;
}

/** What synth must keep retired, from the previous record and the current stacks. */
export interface Retirements {
  /** Stacks no longer in the topology whose state may hold resources. */
  readonly stacks: ReadonlyMap<string, EstateStack>;
  /** Per current script-mode spoke: pairs no longer in the topology whose state may hold them. */
  readonly pairs: ReadonlyMap<string, readonly string[]>;
  /**
   * Per spoke switching to its hub's Route 53 Profile whose state has no Profile association yet, or
   * whose state is unknown (S3): its old pairs stay active (not retired) until the Profile serves the VPC,
   * so it never lacks the hub's names. The next synth that sees the association in the state retires them.
   */
  readonly waiting: ReadonlyMap<string, readonly string[]>;
}

/** Address of a spoke's Profile association (ProfileAssociation names it). */
export const PROFILE_ASSOCIATION_ADDRESS = "aws_route53profiles_association.profile";

/** Decides what stays retired: entries whose state is known to be empty are dropped. */
export function retirements(previous: EstateRecord | undefined, current: ReadonlyMap<string, EstateStack>, state: StateReader): Retirements {
  const stacks = new Map<string, EstateStack>();
  const pairs = new Map<string, string[]>();
  const waiting = new Map<string, string[]>();
  if (!previous) return { stacks, pairs, waiting };
  for (const [name, old] of Object.entries(previous.stacks)) {
    const now = current.get(name);
    const held = state(name);
    if (!now) {
      if (held === undefined || held.length > 0) stacks.set(name, { ...old, retired: true });
      continue;
    }
    // Pairs the spoke ran through the script that the current configuration no longer has as such.
    if (old.spoke && now.spoke) {
      const oldScript = old.spoke.association === "script" ? [...old.spoke.pairs, ...(old.spoke.retiredPairs ?? [])] : old.spoke.retiredPairs ?? [];
      const keep = now.spoke.association === "script" ? new Set(now.spoke.pairs) : new Set<string>();
      const gone = [...new Set(oldScript)].filter((zone) => !keep.has(zone) && (held === undefined || held.includes(pairAddress(zone))));
      // Unknown state (S3 backend at synth) counts as "not associated yet": the pairs stay until the
      // association is seen in the state (`privatelink deploy` reads it with `terraform state list`).
      if (gone.length > 0 && now.spoke.association === "profile" && (held === undefined || !held.includes(PROFILE_ASSOCIATION_ADDRESS))) {
        waiting.set(name, gone.sort());
      } else if (gone.length > 0) {
        pairs.set(name, gone.sort());
      }
    }
  }
  return { stacks, pairs, waiting };
}

/** The record to write: the current stacks (with their retired pairs) and the retired stacks. */
export function nextRecord(model: TopologyModel, current: ReadonlyMap<string, EstateStack>, retired: Retirements): EstateRecord {
  const stacks: Record<string, EstateStack> = {};
  for (const [name, entry] of current) {
    const gone = retired.pairs.get(name) ?? retired.waiting.get(name);
    stacks[name] = gone && entry.spoke ? { ...entry, spoke: { ...entry.spoke, retiredPairs: [...gone] } } : entry;
  }
  for (const [name, entry] of retired.stacks) stacks[name] = entry;
  return { version: ESTATE_VERSION, topology: model.name, stacks };
}

/** Removes from a record what a stack's state no longer holds (after an apply): returns whether it changed. */
export function pruneRecord(record: EstateRecord, stackName: string, held: readonly string[]): boolean {
  const entry = record.stacks[stackName];
  if (!entry) return false;
  if (entry.retired && held.length === 0) {
    delete record.stacks[stackName];
    return true;
  }
  const retiredPairs = entry.spoke?.retiredPairs;
  if (!retiredPairs) return false;
  const left = retiredPairs.filter((zone) => held.includes(pairAddress(zone)));
  if (left.length === retiredPairs.length) return false;
  const spoke = { ...entry.spoke! };
  if (left.length > 0) spoke.retiredPairs = left;
  else delete spoke.retiredPairs;
  record.stacks[stackName] = { ...entry, spoke };
  return true;
}

/** A record provider entry from a stack's provider. */
export function providerEntry(alias: string, account: AccountModel, region: string): EstateProvider {
  return { alias, account: account.name, accountId: account.id, roleArn: account.deployRoleArn, region };
}

/** The record entries of the stacks the topology builds now. */
export function currentEntries(built: BuiltStacks): Map<string, EstateStack> {
  const entries = new Map<string, EstateStack>();
  const base = (stack: PrivateLinkStack, role: EstateStack["role"], vpcId: string): EstateStack => ({
    role,
    vpcId,
    upstreams: stack.dependencies.map((d) => d.node.id).sort(),
    providers: stack.providerRecords.map((p) => providerEntry(p.alias, p.account, p.region)),
  });
  for (const hub of built.hubs.values()) entries.set(hub.stackName, base(hub, "hub", hub.hub.vpc.vpcId));
  for (const stack of built.spokes.values()) {
    const spoke = stack.spoke;
    const hub = built.hubs.get(spoke.hub.name)!;
    entries.set(stack.stackName, {
      ...base(stack, "spoke", spoke.vpc.vpcId),
      spoke: {
        association: spoke.association,
        vpcRegion: spoke.vpc.region,
        zoneRoleArn: spoke.hub.vpc.account.deployRoleArn,
        vpcRoleArn: spoke.vpc.account.deployRoleArn,
        // A spoke served by a Route 53 Profile has no per-zone pairs: one association carries them all.
        pairs: spoke.association === "profile" ? [] : hub.zones.map((z) => z.name).sort(),
      },
    });
  }
  for (const stack of built.providers.values()) entries.set(stack.stackName, base(stack, "provider", stack.service.provider!.vpc.vpcId));
  for (const stack of built.consumers.values()) entries.set(stack.stackName, base(stack, "consumer", stack.consumer.vpc.vpcId));
  return entries;
}

export interface EstateOptions {
  /** The record file (`<topology>.estate.json`). */
  readonly file: string;
  /**
   * What each stack's state holds (undefined: unknown).
   * @default - local state files under the local backend (`defaultStateReader`), unknown under S3
   */
  readonly state?: StateReader;
  /** Path of the phz-handshake bundle for retired pairs. @default - the packaged bundle */
  readonly handshakeScript?: string;
}

/**
 * Adds what the record says is retired to the app built from the topology (retired stacks, retired pairs
 * of current spokes) and orders it: a stack waits for the retired stacks that read from it (a hub for
 * its removed spokes, a service for its removed consumers) and for retired stacks in its VPC (a renamed
 * spoke disassociates before its new name associates). Returns the record to write after the synth.
 */
export function applyEstate(scope: Construct, model: TopologyModel, built: BuiltStacks, options: EstateOptions, defaultState: StateReader): { record: EstateRecord; retired: Retirements } {
  const previous = readEstate(options.file);
  if (previous) assertNoCycle(options.file, previous);
  if (previous && previous.topology !== model.name) {
    throw new EstateError(options.file, `records topology "${previous.topology}", not "${model.name}" (the topology's name keys its state): use the record of this topology`);
  }
  const current = currentEntries(built);
  const retired = retirements(previous, current, options.state ?? defaultState);
  const spokes = new Map([...built.spokes.values()].map((s) => [s.stackName, s]));
  for (const [name, zones] of retired.pairs) spokes.get(name)?.retirePairs(zones);
  for (const [name, zones] of retired.waiting) spokes.get(name)?.keepPairs(zones);
  const all = new Map<string, PrivateLinkStack>(
    [...built.hubs.values(), ...built.spokes.values(), ...built.providers.values(), ...built.consumers.values()].map((s) => [s.stackName, s]),
  );
  const retiredStacks = new Map<string, PrivateLinkStack>();
  for (const [name, entry] of retired.stacks) {
    retiredStacks.set(name, new RetiredStack(scope, model, name, { ...entry, handshakeScript: options.handshakeScript }));
  }
  for (const [name, entry] of retired.stacks) {
    const stack = retiredStacks.get(name)!;
    for (const upstream of entry.upstreams) (all.get(upstream) ?? retiredStacks.get(upstream))?.addDependency(stack);
    for (const [other, otherEntry] of current) if (otherEntry.vpcId === entry.vpcId && otherEntry.role === entry.role) all.get(other)!.addDependency(stack);
  }
  return { record: nextRecord(model, current, retired), retired };
}
