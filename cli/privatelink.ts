/**
 * `npx privatelink <command>`: the product's operations command. Every command that reads the topology
 * takes `--topology FILE` (else $TOPOLOGY, else examples/topology.yaml). Exit codes: 0 done, 1 a check or a
 * stack failed, 2 bad input (nothing ran), 130 interrupted; `plan --detailed-exitcode` as terraform's.
 *
 * Bundled (with the AWS SDK) into dist/assets/privatelink.cjs; the construct framework and the provider
 * bindings come from the installation (peer dependencies).
 */
import { FRAMEWORK } from "../framework/core";
import { TopologyError } from "../topology/problems";
import { loadTopologyFile } from "../topology/load";
import { SynthError } from "../synth/synthesize";
import { EstateError } from "../synth/estate";
import { ValidationError } from "../modules/errors";
import { costCommand, COST_FLAGS, costArgs } from "./cost";
import { main as onpremDns } from "./onprem-dns";
import { main as handshake } from "./phz-handshake/main";
import { formatPreflight, preflight } from "./preflight";
import { Command, Io, operate, OperateOptions } from "./operate";
import { PlanSetError } from "./plan-set";
import { DEFAULT_PLATFORMS, PLATFORM_PATTERN } from "./lock";
import { pipelineCommand, PIPELINE_FLAGS } from "./pipeline";
import { importCommand, IMPORT_FLAGS, ImportInputError } from "./import";
import { CommandSpec, formatUsageError, helpText, inputDir, inputText, integerFlag, listFlag, outputDir, outputPath, Parsed, parseCommand, stringFlag, switchFlag, TOPOLOGY_FLAG, topologyFile, UsageError, versionText } from "./kit";

export type { Io } from "./operate";

const PROGRAM = "privatelink";

const STACKS = { name: "--stacks", value: "LIST", help: "only these stacks, comma-separated (exit 2 naming the stacks when one is unknown or the list is empty)" } as const;
const PARALLEL = { name: "--parallel", value: "N", help: "stacks run side by side, 1 to 64 (default 4)" } as const;
const AUTO_APPROVE = { name: "--auto-approve", help: "do not ask (required when not on a terminal)" } as const;

interface CommandDef {
  readonly spec: CommandSpec;
  run(parsed: Parsed, env: NodeJS.ProcessEnv, io: Io): Promise<number>;
}

const spec = (command: string, summary: string, flags: CommandSpec["flags"], details?: string): CommandSpec => ({ program: PROGRAM, command, summary, flags, details });

/** --stacks as a list of names: an empty list (an empty CI variable, ",") is bad input. */
function stacksOf(parsed: Parsed, s: CommandSpec): string[] | undefined {
  const raw = stringFlag(parsed, "--stacks");
  if (raw === undefined) return undefined;
  const names = raw.split(",").map((n) => n.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError(`--stacks ${JSON.stringify(raw)} names no stack`, s);
  return names;
}

function operateOptions(parsed: Parsed, env: NodeJS.ProcessEnv, s: CommandSpec): OperateOptions {
  const topology = topologyFile(parsed, env);
  const summaryMd = stringFlag(parsed, "--summary-md");
  const summaryJson = stringFlag(parsed, "--summary-json");
  const platforms = listFlag(parsed, "--platform");
  for (const p of platforms) if (!PLATFORM_PATTERN.test(p)) throw new UsageError(`--platform ${JSON.stringify(p)} is not a platform such as linux_amd64 or darwin_arm64`, s);
  const costBase = stringFlag(parsed, "--cost-base");
  const traffic = stringFlag(parsed, "--traffic");
  // Files read later are checked now, outputs' directories too: nothing runs before bad input is refused.
  if (costBase) inputText("--cost-base", costBase, s);
  if (traffic) inputText("--traffic", traffic, s);
  const out = stringFlag(parsed, "--out");
  if (out) outputDir("--out", out, s, "manifest.json");
  const planSet = stringFlag(parsed, "--plan-set");
  if (planSet) inputDir("--plan-set", planSet, s);
  if (planSet && stringFlag(parsed, "--stacks")) throw new UsageError("--plan-set applies the stacks of the plan set: --stacks does not go with it (--step picks steps of the set)", s);
  const steps = listFlag(parsed, "--step");
  if (steps.length && !planSet) throw new UsageError("--step picks steps of a plan set: add --plan-set DIR", s);
  return {
    topology,
    stacks: stacksOf(parsed, s),
    parallel: integerFlag(parsed, "--parallel", { min: 1, max: 64, default: 4 }, s),
    autoApprove: switchFlag(parsed, "--auto-approve"),
    summaryMd: summaryMd ? outputPath("--summary-md", summaryMd, s) : undefined,
    summaryJson: summaryJson ? outputPath("--summary-json", summaryJson, s) : undefined,
    costBase,
    traffic,
    detailedExitcode: switchFlag(parsed, "--detailed-exitcode"),
    out,
    changedSince: stringFlag(parsed, "--changed-since"),
    planSet,
    steps: steps.length ? steps : undefined,
    platforms,
  };
}

function operation(command: Command, s: CommandSpec): CommandDef {
  return {
    spec: s,
    run: (parsed, env, io) => operate(command, operateOptions(parsed, env, s), env, io),
  };
}

export const COMMANDS: Record<string, CommandDef> = {
  synth: operation("synth", spec("synth", "Writes the stacks into $CDKTF_OUTDIR (default cdktf.out), retired ones included, and the estate record next to the topology.", [TOPOLOGY_FLAG])),
  plan: operation(
    "plan",
    spec(
      "plan",
      "Plans the stacks (each saved as privatelink.tfplan in its directory) and prints the pull-request summary: every stack with its status (failed ones first), destructive changes, network changes, the estate's diagram, the monthly cost, and each stack's plan.",
      [
        TOPOLOGY_FLAG,
        STACKS,
        PARALLEL,
        { name: "--summary-md", value: "FILE", path: "write-file", help: "write the Markdown summary (its first line says whether every stack planned)" },
        { name: "--summary-json", value: "FILE", path: "write-file", help: "write the summary as JSON: every stack's name, status, counts and error" },
        { name: "--detailed-exitcode", help: "exit 0 when nothing changes, 2 when something does, 1 when a stack failed (as terraform plan -detailed-exitcode)" },
        { name: "--out", value: "DIR", path: "write-dir", help: "write a plan set (each stack's binary plan and a manifest) that privatelink deploy --plan-set applies exactly" },
        { name: "--changed-since", value: "REF", help: "plan only the stacks whose synthesized configuration differs from the topology at git REF, what reads them, and retired stacks" },
        { name: "--cost-base", value: "FILE", path: "read-file", help: "the target branch's topology: the summary shows the change's monthly cost delta" },
        { name: "--traffic", value: "FILE", path: "read-file", help: "declared traffic for the cost section (see privatelink cost --traffic)" },
      ],
      "Exit codes: 0 every stack planned, 1 a stack failed, 2 bad input; with --detailed-exitcode 0 no changes, 1 failure, 2 changes present.",
    ),
  ),
  deploy: operation(
    "deploy",
    spec(
      "deploy",
      "Applies the stacks: pairs removed from spokes first, then spokes leaving a Route 53 Profile, then every stack in dependency order, independent stacks side by side.",
      [
        TOPOLOGY_FLAG,
        STACKS,
        PARALLEL,
        AUTO_APPROVE,
        { name: "--plan-set", value: "DIR", path: "read-dir", help: "apply exactly the plans of this plan set (privatelink plan --out), in order; refused before any apply if the topology, the estate record or the synthesized stacks changed since" },
        { name: "--step", value: "ID", repeatable: true, help: "with --plan-set: only this step of the set (a pipeline job applying its own; the steps it waits for must be applied)" },
      ],
    ),
  ),
  destroy: operation("destroy", spec("destroy", "Destroys the stacks, dependants first.", [TOPOLOGY_FLAG, STACKS, PARALLEL, AUTO_APPROVE])),
  lock: operation(
    "lock",
    spec(
      "lock",
      "Writes the project's .terraform.lock.hcl next to the topology, with the AWS provider's checksums for each platform: offline from a filesystem mirror of the CLI configuration (TF_CLI_CONFIG_FILE) where it has the platform, else from the registry; the platforms it could not hash are named.",
      [TOPOLOGY_FLAG, { name: "--platform", value: "P", repeatable: true, help: `a platform to hash (default ${DEFAULT_PLATFORMS.join(", ")})` }],
    ),
  ),
  preflight: {
    spec: spec("preflight", "Checks with your AWS credentials, before any apply, what synth cannot: every deploy role can be assumed, every VPC and subnet exists as declared, live quotas allow the estate, no spoke already has a conflicting zone. Read-only.", [TOPOLOGY_FLAG]),
    async run(parsed, env, io) {
      const model = loadTopologyFile(topologyFile(parsed, env), { targetEndpoint: env.TARGET_ENDPOINT || undefined }).model;
      const checks = await preflight(model);
      io.out(formatPreflight(checks));
      return checks.some((c) => c.status === "fail") ? 1 : 0;
    },
  },
  cost: {
    spec: spec("cost", "The monthly cost per stack and line item, the decentralized alternative, the saving and the break-even; bundled prices, or the Price List API with --refresh.", [TOPOLOGY_FLAG, ...COST_FLAGS]),
    run: (parsed, env, io) => costCommand(costArgs(parsed, COMMANDS.cost.spec), topologyFile(parsed, env), io),
  },
  import: {
    spec: spec(
      "import",
      "Adopts an estate built by hand or by other tools: reads (Describe, List, Get only) the listed accounts and regions, recognises hubs, their zones and records, spokes and Resolver inbound endpoints, and writes a topology that reproduces them and <stem>.imports.json, which synth turns into import blocks. The report (Markdown on stdout) lists what the first plan will still change and what is left alone.",
      IMPORT_FLAGS,
      "The first plan imports what was adopted and destroys or replaces none of it; review it with privatelink plan before deploying. TARGET_ENDPOINT points the discovery at an emulator.",
    ),
    run: (parsed, env, io) => importCommand(parsed, COMMANDS.import.spec, env, io),
  },
  pipeline: {
    spec: spec("pipeline", "Writes the estate's stacks as the projects of a pipeline engine, in the order privatelink deploy uses: an Atlantis repo config, Terramate stacks, or a GitHub Actions workflow.", [TOPOLOGY_FLAG, ...PIPELINE_FLAGS]),
    run: (parsed, env, io) => pipelineCommand(parsed, COMMANDS.pipeline.spec, env, io),
  },
};

/** Commands that are programs of their own (their own flags and --help). */
const PASS_THROUGH: Record<string, { summary: string; run: (args: string[], env: NodeJS.ProcessEnv, io: Io) => Promise<number> }> = {
  handshake: { summary: "the zone association handshake (same as phz-handshake)", run: (args, env) => handshake(args, env) },
  "onprem-dns": {
    summary: "the on-premises forwarder configuration (same as onprem-dns)",
    async run(args, env, io) {
      const result = onpremDns(args, undefined, env);
      io.out(result.stdout);
      io.err(result.stderr);
      return result.code;
    },
  },
};

function usage(): string {
  const names = [...Object.keys(COMMANDS), ...Object.keys(PASS_THROUGH)];
  const width = Math.max(...names.map((n) => n.length)) + 2;
  const lines = [
    `Usage: ${PROGRAM} <command> [options]`,
    "",
    "Operations on the estate a topology describes (--topology FILE, else $TOPOLOGY, else examples/topology.yaml).",
    "",
    "Commands:",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.spec.summary.split(/(?<=\.) /)[0]}`),
    ...Object.entries(PASS_THROUGH).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`),
    "",
    `${PROGRAM} <command> --help lists a command's options. ${PROGRAM} --version prints the version.`,
    "TARGET_ENDPOINT points the stacks at an emulator. Logs: <outdir>/logs/<command>/<stack>.log.",
    "Exit codes: 0 done, 1 a check or a stack failed, 2 bad input, 130 interrupted.",
  ];
  return `${lines.join("\n")}\n`;
}

const STDIO: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

async function askYes(question: string): Promise<boolean> {
  const readline = await import("readline");
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
  rl.close();
  return answer.trim() === "yes";
}

/** Bad input, whatever found it: one message, exit 2. */
function badInput(error: unknown): string | undefined {
  if (error instanceof TopologyError || error instanceof SynthError || error instanceof ValidationError || error instanceof PlanSetError || error instanceof EstateError || error instanceof ImportInputError) return error.message;
  return undefined;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, io: Io = STDIO): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    io.err(usage());
    return 2;
  }
  if (command === "--help" || command === "-h" || command === "help") {
    io.out(usage());
    return 0;
  }
  if (command === "--version") {
    io.out(versionText(PROGRAM, FRAMEWORK));
    return 0;
  }
  const passThrough = PASS_THROUGH[command];
  if (passThrough) return passThrough.run(rest, env, io);
  const def = COMMANDS[command];
  if (!def) {
    io.err(`${PROGRAM}: unknown command ${JSON.stringify(command)}; commands: ${[...Object.keys(COMMANDS), ...Object.keys(PASS_THROUGH)].join(", ")}\n(${PROGRAM} --help for usage)\n`);
    return 2;
  }
  try {
    const parsed = parseCommand(def.spec, rest);
    if (parsed.help) {
      io.out(helpText(def.spec));
      return 0;
    }
    if (parsed.version) {
      io.out(versionText(PROGRAM, FRAMEWORK));
      return 0;
    }
    const interactive = io === STDIO && process.stdin.isTTY;
    return await def.run(parsed, env, interactive ? { ...io, confirm: askYes } : io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(formatUsageError(error.spec ? error : new UsageError(error.message, def.spec), `${PROGRAM} ${command}`));
      return 2;
    }
    const message = badInput(error);
    if (message !== undefined) {
      io.err(`${message}\n`);
      return 2;
    }
    throw error;
  }
}
