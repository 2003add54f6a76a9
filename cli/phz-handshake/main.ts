/**
 * phz-handshake: the command-line surface of the cross-account zone association (protocol.ts).
 * Options come from flags or PHZ_* variables (how Terraform passes them); one progress line per step
 * on stderr, never credentials. Exit codes: 0 ok, 2 bad input, 3 AWS failure, 4 ConflictingDomainExists,
 * 130 interrupted.
 *
 * Signals: the first SIGINT/SIGTERM stops the work and the cleanup (the authorization's deletion) keeps
 * retrying within its grace period; a second one stops the cleanup too, and the message names the command
 * that finishes it. Terraform's own first interrupt SIGKILLs local-exec children, which no handler sees:
 * while an authorization may exist, a detached guard process holds the duty to delete it if this process
 * dies without saying it is gone.
 *
 * Endpoints honour AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_ROUTE_53 / AWS_ENDPOINT_URL_STS. This file is
 * bundled (with the SDK) into dist/assets/phz-handshake.cjs, which ships inside every spoke stack that uses it.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { CommandSpec, formatUsageError, helpText, Parsed, parseCommand, stringFlag, UsageError, versionText } from "../kit";
import { EXIT, HandshakeError } from "./errors";
import { Journal } from "./journal";
import { associate, disassociate, HandshakeConfig, HandshakeOutcome, HandshakeRequest, requestProblems, sweep } from "./protocol";
import { FilePacer } from "./retry";
import { appendPrivate, PairLock, privateDir, stateDir } from "./state";

export const PHZ_HANDSHAKE: CommandSpec = {
  program: "phz-handshake",
  positionals: "<associate|disassociate>",
  positionalCount: 1,
  summary: `Joins a VPC (any account, any region) to a Route 53 private hosted zone, or removes it.

  associate      the zone owner authorizes the VPC (only when zone and VPC are in different accounts);
                 the VPC owner associates it and waits until the change is INSYNC; the zone owner
                 deletes the authorization again, also when the association failed or was interrupted.
                 Only when Route 53 answers ConflictingDomainExists does the VPC owner check whether
                 the VPC already has this very zone (then the run is a success and changes nothing).
  disassociate   the VPC owner disassociates the VPC; a pair that is not associated is success. Any
                 authorization an earlier run left is deleted too.`,
  flags: [
    { name: "--zone-id", value: "ID", help: "private hosted zone id (Z...)" },
    { name: "--zone-name", value: "NAME", help: "its name, for messages (optional)" },
    { name: "--vpc-id", value: "VPC", help: "VPC to join (vpc-...)" },
    { name: "--vpc-region", value: "REGION", help: "region of that VPC (the zone may be elsewhere)" },
    { name: "--zone-role-arn", value: "ARN", help: "role to assume in the zone owner's account (default: your own credentials)" },
    { name: "--vpc-role-arn", value: "ARN", help: "role to assume in the VPC owner's account (default: your own credentials)" },
    { name: "--timeout", value: "SECONDS", help: "give up the work after this many seconds (default 600); cleanup gets 120 more" },
  ],
  details: `Every option can also come from the environment (this is how Terraform passes them):
PHZ_ZONE_ID, PHZ_ZONE_NAME, PHZ_VPC_ID, PHZ_VPC_REGION, PHZ_ZONE_ROLE_ARN, PHZ_VPC_ROLE_ARN, PHZ_TIMEOUT.

Route 53 allows 5 requests per second per account: every handshake process of this machine shares one
schedule per account (PHZ_PACING_DIR, default route53-pacing in the state directory; PHZ_ROUTE53_RATE,
default 5) and backs off with jitter when throttled anyway. Processes that start at once load one per
core at a time (PHZ_BOOT_SLOTS, default the number of cores; 0 turns it off).

State (journal, schedule, pair locks): PHZ_STATE_DIR, default <tmp>/privatelink-cdktf-<uid>, 0700, owned
by you; anything else is refused. Role sessions are named phz-handshake-<run id> (PRIVATELINK_RUN_ID, else
TF_VAR_privatelink_run_id, else the CI job's id, else "local").

Credentials come from the AWS SDK's default chain (environment, profile, SSO, instance role).
Endpoints honour AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_ROUTE_53 and AWS_ENDPOINT_URL_STS (emulators).
Progress: one line per step on stderr. Exit codes: 0 done, 2 bad input, 3 AWS failure,
4 the VPC already has another zone of that name (ConflictingDomainExists), 130 interrupted.`,
};

/** The sweep the guard runs when its parent died with an authorization pending. */
const SWEEP = "require(process.env.PHZ_GUARD_BUNDLE).sweepNow(process.env).then((code) => process.exit(code))";

/**
 * The guard's program on POSIX: a `/bin/sh` loop reading "pending"/"settled" lines on its stdin; when the
 * stdin closes while pending (its parent died) it execs Node to sweep. Until then it costs no Node start-up
 * (a hundred handshakes may start at once on two cores). Fixed text: every value comes from the environment.
 */
const GUARD_SH = `state=pending; while IFS= read -r line; do [ -n "$line" ] && state="$line"; done; [ "$state" = pending ] || exit 0; exec "$PHZ_GUARD_NODE" -e '${SWEEP}'`;

/** The same guard as a Node program, where there is no /bin/sh (Windows). */
const GUARD_PROGRAM = [
  'let state = "pending", buffered = "";',
  'process.stdin.setEncoding("utf8");',
  'process.stdin.on("data", (chunk) => { buffered += chunk; const lines = buffered.split("\\n"); buffered = lines.pop(); for (const line of lines) if (line.trim()) state = line.trim(); });',
  `const end = () => { if (state !== "pending") process.exit(0); ${SWEEP}; };`,
  'process.stdin.on("end", end);',
  'process.stdin.on("error", end);',
].join("\n");

/**
 * The guard: a detached process that outlives this one. It learns "pending" (an authorization may exist)
 * and "settled" (it is gone) on its stdin; when the stdin closes while pending (this process died), it
 * deletes the authorization.
 */
class Guard {
  private child?: ChildProcess;

  constructor(
    private readonly script: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly enabled: boolean,
  ) {}

  tell(state: "pending" | "settled"): void {
    if (!this.enabled) return;
    if (!this.child && state === "pending") {
      const env = { ...this.env, PHZ_GUARD_BUNDLE: this.script, PHZ_GUARD_NODE: process.execPath };
      const [command, args] = process.platform === "win32" || !fs.existsSync("/bin/sh") ? [process.execPath, ["-e", GUARD_PROGRAM]] : ["/bin/sh", ["-c", GUARD_SH]];
      this.child = spawn(command, args, { detached: true, stdio: ["pipe", "ignore", "ignore"], env });
      this.child.on("error", () => undefined);
      this.child.stdin?.on("error", () => undefined);
      this.child.unref();
    }
    this.child?.stdin?.write(`${state}\n`);
  }

  /** This process is about to exit normally: the guard has nothing to do. */
  release(): void {
    this.child?.stdin?.end("done\n");
  }
}

/** What the guard calls when its parent died with an authorization pending: delete it (request from the PHZ_* variables). */
export async function sweepNow(env: NodeJS.ProcessEnv): Promise<number> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const req: HandshakeRequest = {
    zoneId: env.PHZ_ZONE_ID ?? "",
    vpcId: env.PHZ_VPC_ID ?? "",
    vpcRegion: env.PHZ_VPC_REGION ?? "",
    zoneRoleArn: env.PHZ_ZONE_ROLE_ARN || undefined,
    vpcRoleArn: env.PHZ_VPC_ROLE_ARN || undefined,
  };
  let dir: string;
  try {
    dir = privateDir(stateDir(env));
  } catch {
    return EXIT.badInput; // nowhere safe to work from: the next run's own cleanup (or privatelink deploy's sweep) remains
  }
  // Where the guard writes what it did (no terminal is left to read it).
  const logFile = path.join(dir, "guard.log");
  const log = (line: string) => appendPrivate(logFile, `${new Date().toISOString()} pid=${process.pid} ${line}\n`);
  log(`parent died with an authorization pending: ${req.zoneId} ${req.vpcId} (${req.vpcRegion})`);
  try {
    const result = await sweep(req, { log, pacer: new FilePacer(), settleMs: Number(env.PHZ_GUARD_SETTLE_MS ?? 2000), pairLock: (key) => new PairLock(dir, key) });
    log(`swept: ${result}`);
    return EXIT.ok;
  } catch (error) {
    log(`FAILED: ${(error as Error).message}`);
    return error instanceof HandshakeError ? error.exitCode : EXIT.awsFailure;
  }
}

function describe(action: string, outcome: HandshakeOutcome): string {
  const polls = outcome.route53Calls.filter((c) => c === "GetChange").length;
  const insync =
    outcome.insync === "observed"
      ? "INSYNC observed"
      : outcome.insync === "unconfirmed"
        ? outcome.result === "associated"
          ? "INSYNC not observed: the answer carrying the change id was lost; Route 53 propagates associations within minutes"
          : "INSYNC not observed by this run (the association was made before it)"
        : "no change";
  return `phz-handshake ${action}: ${outcome.result} (${outcome.route53Calls.length - polls} Route 53 calls + ${polls} GetChange polls); ${insync}`;
}

/** CLI entry point; returns the exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  // The pinned SDK supports Node 20; its notice about future SDK releases would clutter terraform's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  let parsed: Parsed;
  try {
    parsed = parseCommand(PHZ_HANDSHAKE, argv);
    if (!parsed.help && !parsed.version && parsed.positionals[0] !== "associate" && parsed.positionals[0] !== "disassociate") {
      throw new UsageError(`the action is associate or disassociate, not ${JSON.stringify(parsed.positionals[0])}`, PHZ_HANDSHAKE);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(formatUsageError(error, "phz-handshake"));
    return EXIT.badInput;
  }
  if (parsed.help) {
    process.stdout.write(helpText(PHZ_HANDSHAKE));
    return EXIT.ok;
  }
  if (parsed.version) {
    process.stdout.write(versionText("phz-handshake"));
    return EXIT.ok;
  }
  const action = parsed.positionals[0];
  const pick = (flag: string, name: string) => stringFlag(parsed, flag) || env[name] || undefined;
  const req: HandshakeRequest = {
    zoneId: pick("--zone-id", "PHZ_ZONE_ID") ?? "",
    zoneName: pick("--zone-name", "PHZ_ZONE_NAME"),
    vpcId: pick("--vpc-id", "PHZ_VPC_ID") ?? "",
    vpcRegion: pick("--vpc-region", "PHZ_VPC_REGION") ?? "",
    zoneRoleArn: pick("--zone-role-arn", "PHZ_ZONE_ROLE_ARN"),
    vpcRoleArn: pick("--vpc-role-arn", "PHZ_VPC_ROLE_ARN"),
  };
  const timeout = Number(pick("--timeout", "PHZ_TIMEOUT") ?? 600);
  const problems = requestProblems(req);
  if (!(timeout > 0)) problems.push("--timeout must be a positive number of seconds");
  if (problems.length > 0) {
    process.stderr.write(`phz-handshake: ${problems.join("\nphz-handshake: ")}\n(see phz-handshake --help)\n`);
    return EXIT.badInput;
  }
  // The user's own state directory (journal, pair locks, pacing): refused when it is not safe to use.
  let state: string;
  let pacer: FilePacer;
  try {
    state = privateDir(stateDir(env));
    pacer = new FilePacer();
  } catch (error) {
    process.stderr.write(`phz-handshake: ${(error as Error).message}\n`);
    return error instanceof HandshakeError ? error.exitCode : EXIT.badInput;
  }

  // First signal: stop the work, keep cleaning up. Second: stop everything.
  const work = new AbortController();
  const cleanup = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      process.stderr.write(`phz-handshake ${action}: ${signal} received: stopping, and deleting the authorization if one may exist (a second signal stops that too)\n`);
      work.abort();
    } else {
      cleanup.abort();
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const script = path.resolve(process.argv[1] ?? "");
  const guard = new Guard(script, { ...env, PHZ_ZONE_ID: req.zoneId, PHZ_VPC_ID: req.vpcId, PHZ_VPC_REGION: req.vpcRegion, PHZ_ZONE_ROLE_ARN: req.zoneRoleArn ?? "", PHZ_VPC_ROLE_ARN: req.vpcRoleArn ?? "" }, env.PHZ_GUARD !== "off" && fs.existsSync(script));
  const config: Partial<HandshakeConfig> = {
    timeoutMs: timeout * 1000,
    signal: work.signal,
    cleanupSignal: cleanup.signal,
    pacer,
    journal: new Journal(path.join(state, "journal")),
    pairLock: (key) => new PairLock(state, key),
    onAuthorization: (authorization) => guard.tell(authorization),
  };
  try {
    const outcome = await (action === "associate" ? associate : disassociate)(req, config);
    process.stderr.write(`${describe(action, outcome)}\n`);
    return EXIT.ok;
  } catch (error) {
    const exitCode = error instanceof HandshakeError ? error.exitCode : EXIT.awsFailure;
    process.stderr.write(`phz-handshake ${action} FAILED: ${(error as Error).message}\n`);
    return exitCode;
  } finally {
    guard.release();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
