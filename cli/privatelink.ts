/**
 * `npx privatelink <command>`: the product's operations command. Every command reads the topology named
 * by TOPOLOGY (default examples/topology.yaml), as synth does. Exit codes: 0 done, 1 a check or a stack
 * failed, 2 bad input.
 *
 * Bundled (with the AWS SDK) into dist/assets/privatelink.cjs; cdktf, constructs and the provider
 * bindings come from the installation (peer dependencies).
 */
import { loadTopologyFile } from "../topology/load";
import { TopologyError } from "../topology/problems";
import { costCommand } from "./cost";
import { main as onpremDns } from "./onprem-dns";
import { main as handshake } from "./phz-handshake/main";
import { formatPreflight, preflight } from "./preflight";
import { operate, parseOperateArgs, UsageError } from "./operate";
import { SynthError } from "../synth/synthesize";
import { ValidationError } from "../modules/errors";

const DEFAULT_TOPOLOGY = "examples/topology.yaml";

const USAGE = `Usage: privatelink <command> [options]

Reads the topology named by TOPOLOGY (default ${DEFAULT_TOPOLOGY}).

Commands:
  synth                  writes the stacks into $CDKTF_OUTDIR (default cdktf.out), with retired ones
  plan [--stacks a,b] [--summary-md FILE] [--summary-json FILE] [--cost-base FILE] [--traffic FILE]
                         plans every stack (saved as privatelink.tfplan in its directory) and prints the
                         pull-request summary: destructive changes first, then network changes, then the
                         monthly cost (its change against the --cost-base topology, the target branch's)
  deploy [--auto-approve] [--parallel N] [--stacks a,b]
                         applies every stack in dependency order (retired pairs and stacks first),
                         independent stacks in parallel (default 4)
  destroy [--auto-approve] [--parallel N] [--stacks a,b]
                         destroys every stack, dependants first
  lock                   writes the project's .terraform.lock.hcl next to the topology from the providers
                         terraform finds (TF_CLI_CONFIG_FILE honoured: works offline with a mirror)
  preflight              checks with your AWS credentials, before any apply, what synth cannot: every
                         deploy role can be assumed, every VPC and subnet exists as declared, live quotas
                         allow the estate, no spoke already has a conflicting zone. Read-only.
  cost [--format md|json] [--traffic FILE] [--prices FILE] [--refresh [--save-prices FILE]]
                         the monthly cost per stack and line item, the decentralized alternative, the
                         saving and the break-even; bundled prices, or the Price List API with --refresh
  handshake <args>       the zone association handshake (same as phz-handshake)
  onprem-dns <args>      the on-premises forwarder configuration (same as onprem-dns)

Every command reads the topology from TOPOLOGY; TARGET_ENDPOINT points the stacks at an emulator.
Logs: <outdir>/logs/<command>/<stack>.log. Without a terminal, deploy and destroy need --auto-approve.

Exit codes: 0 done, 1 a check or a stack failed, 2 bad input, 130 interrupted.`;

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly confirm?: (question: string) => Promise<boolean>;
}

const STDIO: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

async function askYes(question: string): Promise<boolean> {
  const readline = await import("readline");
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
  rl.close();
  return answer.trim() === "yes";
}

function topologyFile(env: NodeJS.ProcessEnv): string {
  return env.TOPOLOGY || DEFAULT_TOPOLOGY;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, io: Io = STDIO): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "preflight": {
      if (rest.includes("--help") || rest.includes("-h")) {
        io.out(`${USAGE}\n`);
        return 0;
      }
      let model;
      try {
        model = loadTopologyFile(topologyFile(env), { targetEndpoint: env.TARGET_ENDPOINT || undefined }).model;
      } catch (error) {
        if (error instanceof TopologyError) {
          io.err(`${error.message}\n`);
          return 2;
        }
        throw error;
      }
      const checks = await preflight(model);
      io.out(formatPreflight(checks));
      return checks.some((c) => c.status === "fail") ? 1 : 0;
    }
    case "synth":
    case "plan":
    case "deploy":
    case "destroy":
    case "lock": {
      if (rest.includes("--help") || rest.includes("-h")) {
        io.out(`${USAGE}\n`);
        return 0;
      }
      try {
        return await operate(command, parseOperateArgs(rest), env, io === STDIO && process.stdin.isTTY ? { ...io, confirm: askYes } : io);
      } catch (error) {
        if (error instanceof TopologyError || error instanceof SynthError || error instanceof ValidationError || error instanceof UsageError) {
          io.err(`${error instanceof UsageError ? `privatelink ${command}: ` : ""}${error.message}\n`);
          return 2;
        }
        throw error;
      }
    }
    case "cost":
      if (rest.includes("--help") || rest.includes("-h")) {
        io.out(`${USAGE}\n`);
        return 0;
      }
      return costCommand(rest, topologyFile(env), io);
    case "handshake":
      return handshake(rest, env);
    case "onprem-dns": {
      const result = onpremDns(rest);
      io.out(result.stdout);
      io.err(result.stderr);
      return result.code;
    }
    case undefined:
    case "--help":
    case "-h":
    case "help":
      io.out(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      io.err(`privatelink: unknown command "${command}"\n\n${USAGE}\n`);
      return 2;
  }
}
