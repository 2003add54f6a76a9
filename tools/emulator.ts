/**
 * The local AWS emulator as the end-to-end run, the tests and `npm run emulator` use it: moto_server on a
 * free loopback port, the gap proxy in front of it (what moto lacks, done openly), credentials per
 * account (moto tells accounts apart by the role assumed), and the network a topology refers to (VPCs,
 * subnets, target instances and their security group), created in the right accounts and regions.
 */
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../modules/package-assets";
import { CommandSpec, formatUsageError, helpText, inputText, outputPath, parseCommand, stringFlag, TOPOLOGY_FLAG, UsageError, versionText } from "../cli/kit";
import { terraformEnv } from "./terraform-env";
import { parse as parseYaml } from "yaml";
import { accountCredentials, createTargets, createVpc, EmulatorCredentials } from "./emulator-fixtures";
import { MotoGapProxy } from "./moto-gap-proxy";
import { Moto, startMoto } from "./moto";

type Doc = Record<string, any>;

export interface Emulator {
  /** What clients talk to: the gap proxy. */
  readonly url: string;
  readonly moto: Moto;
  readonly proxy: MotoGapProxy;
  /** Credentials of an account of the emulator (its deploy role assumed), cached. */
  credentials(accountId: string): Promise<EmulatorCredentials>;
  /**
   * Creates the VPCs, subnets and service targets of a topology document in the emulator and returns it
   * with the emulator's ids in place of the document's, and the local target set.
   */
  prepare(doc: Doc): Promise<Doc>;
  stop(): Promise<void>;
}

export async function startEmulator(): Promise<Emulator> {
  const moto = await startMoto();
  const proxy = new MotoGapProxy(moto.url);
  try {
    await proxy.start();
  } catch (error) {
    await moto.stop();
    throw error;
  }
  const cache = new Map<string, Promise<EmulatorCredentials>>();
  const credentials = (accountId: string) => {
    if (!cache.has(accountId)) cache.set(accountId, accountCredentials(proxy.url, `arn:aws:iam::${accountId}:role/privatelink-deployer`));
    return cache.get(accountId)!;
  };
  return {
    url: proxy.url,
    moto,
    proxy,
    credentials,
    prepare: (doc) => prepareTopology(proxy.url, doc, credentials),
    async stop() {
      await proxy.stop();
      await moto.stop();
    },
  };
}

/** Reads a topology file (YAML or JSON) as a plain document. */
export function readTopologyDoc(file: string): Doc {
  return parseYaml(fs.readFileSync(file, "utf8"));
}

async function prepareTopology(url: string, source: Doc, credentials: (account: string) => Promise<EmulatorCredentials>): Promise<Doc> {
  const doc: Doc = JSON.parse(JSON.stringify(source));
  const ids = new Map<string, string>();
  for (const vpc of Object.values<any>(doc.vpcs)) {
    const account = doc.accounts[vpc.account].id;
    const created = await createVpc(url, await credentials(account), vpc.region, vpc.cidr, vpc.subnets.map((s: any) => ({ az: s.az, cidr: s.cidr })));
    ids.set(vpc.vpcId, created.vpcId);
    vpc.subnets.forEach((s: any, i: number) => ids.set(s.id, created.subnets[i].id));
  }
  for (const service of Object.values<any>(doc.privateLink ?? {})) {
    const provider = service.provider;
    if (!provider) continue;
    const vpc = doc.vpcs[provider.vpc];
    const first = { id: ids.get(vpc.subnets[0].id)!, az: vpc.subnets[0].az, cidr: vpc.subnets[0].cidr };
    const made = await createTargets(url, await credentials(doc.accounts[vpc.account].id), vpc.region, { vpcId: ids.get(vpc.vpcId)!, cidr: vpc.cidr, subnets: [first] }, provider.targets.ids.length);
    if (provider.targets.type === "instance") provider.targets.ids.forEach((id: string, i: number) => ids.set(id, made.instanceIds[i]));
    if (provider.targets.securityGroupId) ids.set(provider.targets.securityGroupId, made.securityGroupId);
  }
  const text = JSON.stringify(doc).replace(/"((?:vpc|subnet|sg|i)-[0-9a-f]+)"/g, (whole, id: string) => (ids.has(id) ? JSON.stringify(ids.get(id)) : whole));
  const rewritten = JSON.parse(text);
  rewritten.target = { kind: "local", endpoint: url };
  return rewritten;
}

/** Lines of the env file `npm run emulator` writes (shell-sourceable, and accepted by `node --env-file`). */
export function emulatorEnvLines(values: Record<string, string>): string {
  return `${Object.entries(values)
    .map(([k, v]) => `${k}=${/^[\w./:@-]*$/.test(v) ? v : `'${v.replace(/'/g, "'\\''")}'`}`)
    .join("\n")}\n`;
}

export const EMULATOR_COMMAND: CommandSpec = {
  program: "npm run emulator --",
  summary:
    "Starts moto and the gap proxy, creates the topology's VPCs, subnets and targets, and writes the topology with the emulator's ids next to the env file, and in the env file TOPOLOGY, TARGET_ENDPOINT, the emulator's dummy credentials and (when a provider mirror is found) TF_CLI_CONFIG_FILE. Stays up until SIGINT or SIGTERM, then stops everything it started.",
  flags: [
    { name: "--env-file", value: "FILE", path: "write-file", help: "the environment file to write (default .emulator/env; .gitignore covers .emulator/)" },
    { ...TOPOLOGY_FLAG, help: "the topology whose network to create (default: the bundled example)" },
  ],
  details: "Then, in another shell: set -a; . .emulator/env; set +a; npx privatelink deploy --auto-approve",
};

/** `npm run emulator [-- --env-file FILE] [--topology FILE]`: see EMULATOR_COMMAND. Resolves only on a usage error or --help. */
export async function emulatorMain(argv: readonly string[]): Promise<number> {
  const args = argv[0] === "--" ? argv.slice(1) : [...argv];
  let parsed;
  try {
    parsed = parseCommand(EMULATOR_COMMAND, args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(formatUsageError(error, "emulator"));
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(helpText(EMULATOR_COMMAND));
    return 0;
  }
  if (parsed.version) {
    process.stdout.write(versionText("emulator"));
    return 0;
  }
  const envFile = stringFlag(parsed, "--env-file") ?? path.join(".emulator", "env");
  const topology = stringFlag(parsed, "--topology") ?? path.join(projectRoot(), "examples", "topology.yaml");
  // What it will write and read is checked before anything starts.
  let source: Doc;
  try {
    if (stringFlag(parsed, "--env-file")) outputPath("--env-file", envFile, EMULATOR_COMMAND);
    source = parseYaml(inputText("--topology", topology, EMULATOR_COMMAND));
    if (typeof source !== "object" || source === null || typeof source.vpcs !== "object") throw new UsageError(`--topology ${topology}: is not a topology (no vpcs)`, EMULATOR_COMMAND);
  } catch (error) {
    if (!(error instanceof UsageError)) {
      process.stderr.write(`emulator: --topology ${topology}: cannot be parsed: ${(error as Error).message.split("\n")[0]}\n`);
      return 2;
    }
    process.stderr.write(formatUsageError(error, "emulator"));
    return 2;
  }
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const emulator = await startEmulator();
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await emulator.stop();
    process.stdout.write(`emulator: stopped\n`);
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  try {
    const doc = await emulator.prepare(source);
    const dir = path.dirname(path.resolve(envFile));
    // Local state beside the env file too: everything the flow writes stays in one directory.
    // (relative: absolute paths would leak into every stack; run privatelink from this directory).
    if ((doc.backend?.kind ?? "local") === "local" && !doc.backend?.directory) doc.backend = { kind: "local", directory: path.relative(process.cwd(), dir) || "." };
    fs.mkdirSync(dir, { recursive: true });
    const topologyOut = path.join(dir, `${path.parse(topology).name}.emulator.json`);
    fs.writeFileSync(topologyOut, `${JSON.stringify(doc, null, 2)}\n`);
    const values: Record<string, string> = {
      TOPOLOGY: topologyOut,
      TARGET_ENDPOINT: emulator.url,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    };
    try {
      values.TF_CLI_CONFIG_FILE = terraformEnv(path.join(dir, ".tf-offline")).cliConfig;
    } catch {
      // No local mirror: terraform installs the provider from the registry as usual.
    }
    fs.writeFileSync(envFile, emulatorEnvLines(values));
    process.stdout.write(`emulator: moto on ${emulator.moto.url}, gap proxy on ${emulator.url}; ${Object.keys(doc.vpcs).length} VPCs created\n`);
    process.stdout.write(`emulator: wrote ${envFile} (TOPOLOGY=${topologyOut}); source it (set -a; . ${envFile}; set +a) in another shell; Ctrl-C stops the emulator\n`);
  } catch (error) {
    process.stderr.write(`emulator: ${(error as Error).message}\n`);
    await stop(1);
  }
  return new Promise<number>(() => undefined);
}

if (require.main === module) {
  // Resolves only when it will not run (usage, --help): its exit code is the command's.
  void emulatorMain(process.argv.slice(2)).then((code) => process.exit(code));
}
