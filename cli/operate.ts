/**
 * `privatelink synth | plan | deploy | destroy | lock`: terraform on every stack of the topology, in
 * dependency order, independent stacks in parallel, a progress line per stack, a log file per stack
 * (`<outdir>/logs/<command>/<stack>.log`), a final table, non-zero exit when a stack failed (what waits
 * for it is skipped). Terraform is `$TERRAFORM_BINARY_NAME` (default `terraform`) with the caller's
 * environment: `TF_CLI_CONFIG_FILE` (a filesystem mirror, offline) and credentials are honoured.
 *
 * Retiring (see synth/estate.ts): `deploy` first runs the disassociate of the pairs removed from spokes
 * that stay (`-target`), then every stack in order, retired stacks before what they read from, then
 * removes from the estate record what the states no longer hold.
 */
import { ChildProcess, spawn } from "child_process";
import { Writable } from "stream";
import * as fs from "fs";
import * as path from "path";
import { loadTopologyFile } from "../topology/load";
import { TopologyModel } from "../topology/model";
import { defaultStateReader, synthesize, SynthResult } from "../synth/synthesize";
import { estateFileFor, EstateRecord, pairAddress, PROFILE_ASSOCIATION_ADDRESS, pruneRecord, readEstate, writeEstate } from "../synth/estate";
import { AWS_PROVIDER_CONSTRAINT } from "../modules/aws-provider";
import { TERRAFORM_VERSION_CONSTRAINT } from "../stacks/base-stack";
import { Dependencies, dependenciesOf, schedule } from "./schedule";
import { costOfChange } from "./cost";
import { Place, StackPlan, summarize, summaryMarkdown } from "./plan-summary";

export type Command = "synth" | "plan" | "deploy" | "destroy" | "lock";

export interface OperateOptions {
  readonly stacks?: readonly string[];
  readonly parallel: number;
  readonly autoApprove: boolean;
  readonly summaryMd?: string;
  readonly summaryJson?: string;
  /** Plan: the target branch's topology, for the monthly cost delta in the summary. */
  readonly costBase?: string;
  /** Plan: declared traffic for the cost section (see `privatelink cost --traffic`). */
  readonly traffic?: string;
}

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Asks for a "yes" on a terminal; undefined when not interactive. */
  readonly confirm?: (question: string) => Promise<boolean>;
}

/** A usage problem: exit 2 with the message. */
export class UsageError extends Error {}

export function parseOperateArgs(args: readonly string[]): OperateOptions {
  let stacks: string[] | undefined;
  let parallel = 4;
  let autoApprove = false;
  let summaryMd: string | undefined;
  let summaryJson: string | undefined;
  let costBase: string | undefined;
  let traffic: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === "--stacks") stacks = value().split(",").map((s) => s.trim()).filter(Boolean);
    else if (arg === "--parallel") {
      parallel = Number(value());
      if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64) throw new UsageError("--parallel must be a whole number from 1 to 64");
    } else if (arg === "--auto-approve") autoApprove = true;
    else if (arg === "--summary-md") summaryMd = value();
    else if (arg === "--summary-json") summaryJson = value();
    else if (arg === "--cost-base") costBase = value();
    else if (arg === "--traffic") traffic = value();
    else throw new UsageError(`unknown option ${arg}`);
  }
  return { stacks, parallel, autoApprove, summaryMd, summaryJson, costBase, traffic };
}

const discard = () => new Writable({ write: (_chunk, _encoding, done) => done() });

interface Run {
  readonly status: number;
  readonly output: string;
}

/** Terraform processes of this run: signals are passed on to them. */
const running = new Set<ChildProcess>();

function terraform(cwd: string, args: string[], log: Writable, env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(env.TERRAFORM_BINARY_NAME || "terraform", args, {
      cwd,
      env: { ...env, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: env.CHECKPOINT_DISABLE ?? "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(child);
    let output = "";
    log.write(`$ terraform ${args.join(" ")}\n`);
    const take = (d: Buffer) => {
      output += d;
      log.write(d);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("error", (error) => {
      running.delete(child);
      const message = (error as NodeJS.ErrnoException).code === "ENOENT" ? "terraform was not found on PATH (or TERRAFORM_BINARY_NAME)" : error.message;
      log.write(`${message}\n`);
      resolve({ status: 127, output: message });
    });
    child.on("close", (status) => {
      running.delete(child);
      resolve({ status: status ?? 1, output });
    });
  });
}

const elapsed = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** The project's lock file: `<topology dir>/.terraform.lock.hcl`. */
export function projectLockFile(topologyFile: string): string {
  return path.join(path.dirname(topologyFile), ".terraform.lock.hcl");
}

/**
 * Writes the project's lock file with `terraform init` of a configuration holding only the stacks'
 * provider requirements, in a scratch directory: the caller's CLI configuration applies, so a
 * filesystem mirror works offline (the lock then has that mirror's hashes).
 */
export async function writeLockFile(file: string, log: Writable, env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  const scratch = fs.mkdtempSync(path.join(path.dirname(path.resolve(file)), ".privatelink-lock-"));
  try {
    fs.writeFileSync(
      path.join(scratch, "main.tf.json"),
      JSON.stringify({ terraform: { required_version: TERRAFORM_VERSION_CONSTRAINT, required_providers: { aws: { source: "hashicorp/aws", version: AWS_PROVIDER_CONSTRAINT } } } }),
    );
    const init = await terraform(scratch, ["init", "-backend=false", "-input=false", "-no-color"], log, env);
    if (init.status === 0) fs.copyFileSync(path.join(scratch, ".terraform.lock.hcl"), file);
    return init;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

interface Row {
  stack: string;
  result: "ok" | "FAILED" | "skipped" | "no changes";
  detail: string;
  seconds?: number;
}

/** Counts from terraform's closing line ("Apply complete! Resources: 1 added, 0 changed, 2 destroyed."). */
function appliedCounts(output: string): string {
  const m = /Resources: (\d+) added, (\d+) changed, (\d+) destroyed/.exec(output) ?? /Resources: (\d+) destroyed/.exec(output);
  if (!m) return "";
  return m.length === 4 ? `+${m[1]} ~${m[2]} -${m[3]}` : `-${m[1]}`;
}

function lastLines(text: string, n = 6): string {
  return text.trim().split("\n").filter((l) => l.trim()).slice(-n).join("\n      ");
}

export async function operate(command: Command, options: OperateOptions, env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const topologyFile = env.TOPOLOGY || "examples/topology.yaml";
  const model: TopologyModel = loadTopologyFile(topologyFile, { targetEndpoint: env.TARGET_ENDPOINT || undefined }).model;
  const lockFile = projectLockFile(topologyFile);
  const estateFile = env.PRIVATELINK_ESTATE || estateFileFor(topologyFile);
  const outdir = path.resolve(env.CDKTF_OUTDIR || "cdktf.out");
  const started = Date.now();

  if ((command === "deploy" || command === "destroy") && !options.autoApprove) {
    if (!io.confirm) throw new UsageError(`${command} changes real infrastructure: not on a terminal, pass --auto-approve (review with privatelink plan first)`);
  }

  const logRoot = path.join(outdir, "logs");
  const openLog = (name: string) => {
    fs.mkdirSync(path.join(logRoot, command), { recursive: true });
    return fs.createWriteStream(path.join(logRoot, command, `${name}.log`));
  };

  if (command === "lock") {
    const result = await writeLockFile(lockFile, discard(), env);
    if (result.status !== 0) {
      io.err(`privatelink: could not write ${lockFile}:\n      ${lastLines(result.output)}\n`);
      return 1;
    }
    io.out(`privatelink: wrote ${lockFile} (commit it)\n`);
    // Stacks already initialized keep their own lock files: refresh them from the project's.
    giveLockFile(outdir, lockFile, true);
    return 0;
  }

  // How each spoke associated before this synth rewrites the record (a switch between zones and a Profile).
  const before = readEstate(estateFile);
  const synth: SynthResult = synthesize(model, { outdir, lockFile, estate: { file: estateFile } });
  io.out(`privatelink: synthesized ${synth.stacks.length} stacks into ${path.relative(".", outdir) || "."}${synth.retired.stacks.length ? `; retired: ${synth.retired.stacks.join(", ")}` : ""}\n`);
  for (const [stack, zones] of Object.entries(synth.retired.pairs)) io.out(`privatelink: ${stack}: retired pairs ${zones.join(", ")}\n`);
  for (const warning of synth.warnings) io.err(`warning: ${warning}\n`);
  if (command === "synth") return 0;

  const allDeps = dependenciesOf(JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")));
  const selected = options.stacks ?? [...allDeps.keys()];
  const unknown = selected.filter((s) => !allDeps.has(s));
  if (unknown.length > 0) throw new UsageError(`--stacks: no stack ${unknown.join(", ")}; stacks: ${[...allDeps.keys()].join(", ")}`);
  const deps: Dependencies = new Map(selected.map((s) => [s, allDeps.get(s)!.filter((d) => selected.includes(d))]));
  const record = readEstate(estateFile);

  // No project lock file yet: written from the providers terraform finds, and given to every stack.
  if (!fs.existsSync(lockFile)) {
    const result = await writeLockFile(lockFile, discard(), env);
    if (result.status !== 0) {
      io.err(`privatelink: could not write ${lockFile}:\n      ${lastLines(result.output)}\n`);
      return 1;
    }
    io.out(`privatelink: wrote ${lockFile} (commit it)\n`);
    giveLockFile(outdir, lockFile, false);
  }

  if (options.autoApprove === false && io.confirm && (command === "deploy" || command === "destroy")) {
    const yes = await io.confirm(`${command} ${selected.length} stacks (${selected.join(", ")})? Only "yes" is accepted: `);
    if (!yes) {
      io.err(`privatelink: ${command} cancelled\n`);
      return 1;
    }
  }

  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    io.err(`privatelink: ${signal}: passed on to ${running.size} terraform process(es); no new stack starts\n`);
    for (const child of running) child.kill("SIGINT");
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const rows = new Map<string, Row>(selected.map((s) => [s, { stack: s, result: "skipped", detail: "" }]));
  const stackDir = (stack: string) => path.join(outdir, "stacks", stack);
  const progress = (stack: string, text: string) => io.out(`[${new Date().toISOString().slice(11, 19)}] ${stack}: ${text}\n`);
  const plans: StackPlan[] = [];

  const init = async (stack: string, log: Writable): Promise<boolean> => {
    progress(stack, "init");
    const result = await terraform(stackDir(stack), ["init", "-input=false", "-no-color"], log, env);
    if (result.status !== 0) rows.set(stack, { stack, result: "FAILED", detail: `init: ${lastLines(result.output, 3)}` });
    return result.status === 0;
  };

  const step = async (stack: string, run: (log: Writable, since: number) => Promise<boolean>, logName = stack): Promise<boolean> => {
    if (interrupted) return false;
    const log = openLog(logName);
    const since = Date.now();
    try {
      return (await init(stack, log)) && (await run(log, since));
    } finally {
      log.end();
      const row = rows.get(stack)!;
      row.seconds = (Date.now() - since) / 1000;
      const line = `${row.result}${row.detail ? ` ${row.detail.split("\n")[0]}` : ""} in ${elapsed(since)}`;
      progress(stack, row.result === "FAILED" ? `FAILED in ${elapsed(since)} (log: ${path.relative(".", path.join(logRoot, command, `${logName}.log`))})\n      ${row.detail}` : line);
    }
  };

  let ok: boolean;
  if (command === "plan") {
    ok = await schedule(new Map(selected.map((s) => [s, []])), "apply", (stack) =>
      step(stack, async (log) => {
        progress(stack, "planning");
        const plan = await terraform(stackDir(stack), ["plan", "-input=false", "-no-color", "-out=privatelink.tfplan"], log, env);
        if (plan.status !== 0) {
          rows.set(stack, { stack, result: "FAILED", detail: lastLines(plan.output) });
          return false;
        }
        const show = await terraform(stackDir(stack), ["show", "-json", "privatelink.tfplan"], discard(), env);
        const json = JSON.parse(show.output);
        plans.push({ stack, plan: json, places: placesOf(record, stack), retired: record?.stacks[stack]?.retired === true });
        const one = summarize([plans[plans.length - 1]]).totals;
        const changed = one.create + one.update + one.delete + one.replace > 0;
        rows.set(stack, { stack, result: changed ? "ok" : "no changes", detail: changed ? `+${one.create} ~${one.update} -${one.delete} ±${one.replace}` : "" });
        return true;
      }),
    options.parallel);
    plans.sort((a, b) => a.stack.localeCompare(b.stack));
    const summary = summarize(plans);
    const unchanged = [...rows.values()].filter((r) => r.result === "no changes").map((r) => r.stack);
    const cost = costOfChange(model, { baseTopology: options.costBase, traffic: options.traffic });
    const markdown = `${summaryMarkdown(summary, unchanged)}\n${cost.markdown}`;
    if (options.summaryMd) fs.writeFileSync(options.summaryMd, markdown);
    if (options.summaryJson) fs.writeFileSync(options.summaryJson, `${JSON.stringify({ ...summary, unchanged, cost: cost.json ?? null }, null, 2)}\n`);
    io.out(`\n${markdown}`);
  } else if (command === "deploy") {
    // A spoke switching between its hub's zones and its hub's Route 53 Profile keeps resolving the hub's
    // names throughout: the new way comes first, then the old one goes. Local zone associations and the
    // Profile's resolve to the same records, so the moment both exist is harmless.
    // - to the Profile: synth keeps the old pairs active while the spoke's state has no Profile association
    //   (`waiting`); after this deploy applied it, a re-synth retires them and their disassociations run;
    // - back to the zones: before the hub, whose apply deletes the Profile (AWS refuses to delete one that
    //   VPCs still use, and the spoke would lose the names); the zones are there all along.
    const firstTargets = new Map<string, string[]>();
    const leavingProfile = new Set<string>();
    for (const spoke of model.spokes) {
      if (!deps.has(spoke.stackName)) continue;
      const old = before?.stacks[spoke.stackName]?.spoke?.association;
      if (old === "profile" && spoke.association !== "profile") {
        // Script pairs are targeted first; native ones come with the full apply.
        firstTargets.set(spoke.stackName, spoke.association === "script" ? spoke.hub.services.flatMap((service) => service.zones.map((zone) => pairAddress(zone.name))) : []);
        leavingProfile.add(spoke.stackName);
      }
    }
    const apply = async (stack: string, log: Writable): Promise<boolean> => {
      const targets = firstTargets.get(stack) ?? [];
      if (targets.length > 0) {
        progress(stack, "switching: the new association first");
        const first = await terraform(stackDir(stack), ["apply", "-auto-approve", "-input=false", "-no-color", ...targets.map((t) => `-target=${t}`)], log, env);
        if (first.status !== 0) {
          rows.set(stack, { stack, result: "FAILED", detail: lastLines(first.output) });
          return false;
        }
      }
      progress(stack, "applying");
      const result = await terraform(stackDir(stack), ["apply", "-auto-approve", "-input=false", "-no-color"], log, env);
      const counts = appliedCounts(result.output);
      const retired = retiredCounts.get(stack);
      const detail = retired ? `${counts} (retired pairs ${retired})` : counts;
      rows.set(stack, { stack, result: result.status === 0 ? (counts === "+0 ~0 -0" && !retired ? "no changes" : "ok") : "FAILED", detail: result.status === 0 ? detail : lastLines(result.output) });
      return result.status === 0;
    };
    // Pairs removed from spokes that stay: their disassociate runs before anything else changes.
    const retiring = Object.entries(synth.retired.pairs).filter(([stack]) => deps.has(stack) && !firstTargets.has(stack));
    let retiredOk = true;
    const retiredCounts = new Map<string, string>();
    const applyPairs = (stack: string, zones: readonly string[], log: Writable) =>
      terraform(stackDir(stack), ["apply", "-auto-approve", "-input=false", "-no-color", ...zones.map((z) => `-target=${pairAddress(z)}`)], log, env);
    for (const [stack, zones] of retiring) {
      const done = await step(stack, async (log) => {
        progress(stack, `disassociating ${zones.length} retired pair(s)`);
        const result = await applyPairs(stack, zones, log);
        rows.set(stack, { stack, result: result.status === 0 ? "ok" : "FAILED", detail: result.status === 0 ? `retired pairs ${appliedCounts(result.output)}` : lastLines(result.output) });
        if (result.status === 0) retiredCounts.set(stack, appliedCounts(result.output));
        return result.status === 0;
      }, `${stack}.retired-pairs`);
      retiredOk &&= done;
    }
    for (const stack of [...leavingProfile]) {
      retiredOk &&= await step(stack, async (log) => {
        // Only a spoke whose state holds its Profile association goes first; one never applied (or
        // destroyed since) waits for its hub like any other.
        const list = await terraform(stackDir(stack), ["state", "list"], discard(), env);
        if (!stateAddresses(list.output).includes(PROFILE_ASSOCIATION_ADDRESS)) {
          leavingProfile.delete(stack);
          return true;
        }
        return apply(stack, log);
      }, `${stack}.leaving-profile`);
    }
    ok = retiredOk && (await schedule(deps, "apply", (stack) => (leavingProfile.has(stack) ? Promise.resolve(true) : step(stack, (log) => apply(stack, log))), options.parallel));
    const waiting = Object.keys(synth.retired.waiting).filter((stack) => deps.has(stack));
    if (ok && waiting.length > 0) {
      // The Profile now serves those VPCs: the old pairs can go. Their states are read with `terraform
      // state list` (synth alone reads local state files only; under S3 it keeps the pairs waiting).
      const held = new Map<string, string[]>();
      for (const stack of waiting) {
        const list = await terraform(stackDir(stack), ["state", "list"], discard(), env);
        if (list.status === 0) held.set(stack, stateAddresses(list.output));
      }
      const fallback = defaultStateReader(model);
      const again = synthesize(model, { outdir, lockFile, estate: { file: estateFile, state: (stack) => held.get(stack) ?? fallback(stack) } });
      for (const stack of waiting) {
        const zones = again.retired.pairs[stack] ?? [];
        if (zones.length === 0) continue;
        ok &&= await step(stack, async (log) => {
          progress(stack, `on the Profile now: disassociating ${zones.length} old pair(s)`);
          const result = await applyPairs(stack, zones, log);
          const row = rows.get(stack);
          rows.set(stack, { stack, result: result.status === 0 ? "ok" : "FAILED", detail: result.status === 0 ? `${row?.detail ?? ""} (old pairs ${appliedCounts(result.output)})`.trim() : lastLines(result.output) });
          return result.status === 0;
        }, `${stack}.old-pairs`);
      }
    }
    // What the states no longer hold leaves the record (any backend: terraform state list).
    if (record) {
      let changed = false;
      for (const [stack, entry] of Object.entries(record.stacks)) {
        if (!deps.has(stack) || !(entry.retired || entry.spoke?.retiredPairs)) continue;
        const list = await terraform(stackDir(stack), ["state", "list"], discard(), env);
        if (list.status !== 0) continue;
        changed = pruneRecord(record, stack, stateAddresses(list.output)) || changed;
      }
      if (changed) {
        writeEstate(estateFile, record);
        io.out(`privatelink: ${estateFile}: retired entries whose state is empty were removed (commit it)\n`);
      }
    }
  } else {
    ok = await schedule(deps, "destroy", (stack) =>
      step(stack, async (log) => {
        progress(stack, "destroying");
        const result = await terraform(stackDir(stack), ["destroy", "-auto-approve", "-input=false", "-no-color"], log, env);
        rows.set(stack, { stack, result: result.status === 0 ? "ok" : "FAILED", detail: result.status === 0 ? appliedCounts(result.output) : lastLines(result.output) });
        return result.status === 0;
      }),
    options.parallel);
  }
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);

  const width = Math.max(...selected.map((s) => s.length));
  io.out(`\n${"stack".padEnd(width)}  result      changes           time\n`);
  for (const row of rows.values()) {
    io.out(`${row.stack.padEnd(width)}  ${row.result.padEnd(10)}  ${(row.result === "FAILED" ? "see log" : row.detail).padEnd(16)}  ${row.seconds === undefined ? "-" : `${row.seconds.toFixed(1)} s`}\n`);
  }
  const failed = [...rows.values()].filter((r) => r.result === "FAILED").length;
  const skipped = [...rows.values()].filter((r) => r.result === "skipped").length;
  io.out(`privatelink ${command}: ${ok ? "done" : `${failed} failed, ${skipped} skipped`} in ${elapsed(started)}; logs in ${path.relative(".", path.join(logRoot, command))}\n`);
  if (interrupted) return 130;
  return ok ? 0 : 1;
}

/** `terraform state list` output as the estate's addresses: managed resources, without instance keys. */
function stateAddresses(output: string): string[] {
  return [...new Set(output.split("\n").filter(Boolean).map((a) => a.replace(/\[[^\]]*\]$/, "")))].filter((a) => !a.startsWith("data."));
}

/** Copies the project's lock file into every synthesized stack directory (only those without one unless `replace`). */
function giveLockFile(outdir: string, lockFile: string, replace: boolean): void {
  for (const kind of ["stacks", "hcl"]) {
    const dir = path.join(outdir, kind);
    if (!fs.existsSync(dir)) continue;
    for (const stack of fs.readdirSync(dir)) {
      const target = path.join(dir, stack, ".terraform.lock.hcl");
      if (replace || !fs.existsSync(target)) fs.copyFileSync(lockFile, target);
    }
  }
}

/** Account and region of each provider alias of a stack, from the estate record. */
function placesOf(record: EstateRecord | undefined, stack: string): Map<string, Place> {
  return new Map((record?.stacks[stack]?.providers ?? []).map((p) => [p.alias, { account: p.account, region: p.region }]));
}
