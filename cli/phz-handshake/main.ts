/**
 * phz-handshake: the command-line surface of the cross-account zone association (protocol.ts).
 * Options come from flags or PHZ_* variables (how Terraform passes them); one progress line per step
 * on stderr, never credentials. Exit codes: 0 ok, 2 bad input, 3 AWS failure, 4 ConflictingDomainExists.
 *
 * Endpoints honour AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_ROUTE_53 / AWS_ENDPOINT_URL_STS. This file is
 * bundled (with the SDK) into dist/assets/phz-handshake.cjs, which ships inside every spoke stack that uses it.
 */
import { parseArgs } from "util";
import { EXIT, HandshakeError } from "./errors";
import { associate, disassociate, HandshakeRequest, requestProblems } from "./protocol";

const USAGE = `Usage: phz-handshake <associate|disassociate> --zone-id <id> --vpc-id <vpc-id> --vpc-region <region>
                     [--zone-role-arn <arn>] [--vpc-role-arn <arn>] [--timeout <seconds>]

Joins a VPC (any account, any region) to a Route 53 private hosted zone, or removes it.

  associate      zone owner authorizes the VPC (only when zone and VPC are in different accounts),
                 VPC owner associates it, waits until the change is INSYNC, and the zone owner
                 deletes the authorization again, also when the association failed.
                 Re-running on an associated pair changes nothing (and removes a left-over authorization).
  disassociate   VPC owner disassociates the VPC; a pair that is not associated is success.

  --zone-id        private hosted zone id (Z...)
  --vpc-id         VPC to join (vpc-...)
  --vpc-region     region of that VPC (the zone may be elsewhere)
  --zone-role-arn  role to assume in the zone owner's account (default: your own credentials)
  --vpc-role-arn   role to assume in the VPC owner's account (default: your own credentials)
  --timeout        give up after this many seconds (default 600)

Every option can also come from the environment (this is how Terraform passes them):
PHZ_ZONE_ID, PHZ_VPC_ID, PHZ_VPC_REGION, PHZ_ZONE_ROLE_ARN, PHZ_VPC_ROLE_ARN, PHZ_TIMEOUT.

Credentials come from the AWS SDK's default chain (environment, profile, SSO, instance role).
Endpoints honour AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_ROUTE_53 and AWS_ENDPOINT_URL_STS (emulators).
Progress: one line per step on stderr. Exit codes: 0 done, 2 bad input, 3 AWS failure,
4 the VPC already has another zone of that name (ConflictingDomainExists).`;

/** CLI entry point; returns the exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  // The pinned SDK supports Node 20; its notice about future SDK releases would clutter terraform's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        "zone-id": { type: "string" },
        "vpc-id": { type: "string" },
        "vpc-region": { type: "string" },
        "zone-role-arn": { type: "string" },
        "vpc-role-arn": { type: "string" },
        timeout: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    process.stderr.write(`phz-handshake: ${(error as Error).message}\n\n${USAGE}\n`);
    return EXIT.badInput;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  const action = positionals[0];
  if (positionals.length !== 1 || (action !== "associate" && action !== "disassociate")) {
    process.stderr.write(`phz-handshake: expected one action, associate or disassociate\n\n${USAGE}\n`);
    return EXIT.badInput;
  }
  const pick = (flag: string, name: string) => (values as Record<string, string | undefined>)[flag] || env[name] || undefined;
  const req: HandshakeRequest = {
    zoneId: pick("zone-id", "PHZ_ZONE_ID") ?? "",
    vpcId: pick("vpc-id", "PHZ_VPC_ID") ?? "",
    vpcRegion: pick("vpc-region", "PHZ_VPC_REGION") ?? "",
    zoneRoleArn: pick("zone-role-arn", "PHZ_ZONE_ROLE_ARN"),
    vpcRoleArn: pick("vpc-role-arn", "PHZ_VPC_ROLE_ARN"),
  };
  const timeout = Number(pick("timeout", "PHZ_TIMEOUT") ?? 600);
  const problems = requestProblems(req);
  if (!(timeout > 0)) problems.push("--timeout must be a positive number of seconds");
  if (problems.length > 0) {
    process.stderr.write(`phz-handshake: ${problems.join("\nphz-handshake: ")}\n(see phz-handshake --help)\n`);
    return EXIT.badInput;
  }
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const outcome = await (action === "associate" ? associate : disassociate)(req, { timeoutMs: timeout * 1000, signal: abort.signal });
    const polls = outcome.route53Calls.filter((c) => c === "GetChange").length;
    process.stderr.write(`phz-handshake ${action}: ${outcome.result} (${outcome.route53Calls.length - polls} Route 53 calls + ${polls} GetChange polls)\n`);
    return EXIT.ok;
  } catch (error) {
    const exitCode = error instanceof HandshakeError ? error.exitCode : EXIT.awsFailure;
    process.stderr.write(`phz-handshake ${action} FAILED: ${(error as Error).message}\n`);
    return exitCode;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
