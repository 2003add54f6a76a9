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
import { main as onpremDns } from "./onprem-dns";
import { main as handshake } from "./phz-handshake/main";
import { formatPreflight, preflight } from "./preflight";

const DEFAULT_TOPOLOGY = "examples/topology.yaml";

const USAGE = `Usage: privatelink <command> [options]

Reads the topology named by TOPOLOGY (default ${DEFAULT_TOPOLOGY}).

Commands:
  preflight              checks with your AWS credentials, before any apply, what synth cannot: every
                         deploy role can be assumed, every VPC and subnet exists as declared, live quotas
                         allow the estate, no spoke already has a conflicting zone. Read-only.
  handshake <args>       the zone association handshake (same as phz-handshake)
  onprem-dns <args>      the on-premises forwarder configuration (same as onprem-dns)

Exit codes: 0 done, 1 a check failed, 2 bad input.`;

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const STDIO: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

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
