/**
 * The Route 53 protocol of phz-handshake: the steps that join a VPC to a private hosted zone of
 * (possibly) another account, the way seed 000 does it by hand, safely:
 *
 *   associate:    zone owner authorizes the VPC (cross-account only) -> VPC owner associates -> VPC
 *                 owner waits INSYNC -> zone owner deletes the authorization, ALWAYS (also after a failure
 *                 or a signal). Whether the VPC already has the zone is asked only when Route 53 answers
 *                 ConflictingDomainExists, and of the VPC owner (ListHostedZonesByVPC).
 *   disassociate: VPC owner disassociates -> waits INSYNC -> zone owner deletes any authorization left,
 *                 also when the disassociation failed.
 *
 * The zone owner's account (the hub, shared by every spoke) is asked only to create and delete the
 * authorization: the happy path is 4 calls, 2 of them the hub's. Every call is paced per account (retry.ts) and retried on throttling and transient
 * errors within the work's deadline; cleanup has its own grace period, which a first signal does not cut.
 * An authorization is tracked as none / maybe / exists: a leak is reported only when one may exist.
 */
import {
  AssociateVPCWithHostedZoneCommand,
  CreateVPCAssociationAuthorizationCommand,
  DeleteVPCAssociationAuthorizationCommand,
  DisassociateVPCFromHostedZoneCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListHostedZonesByVPCCommand,
  Route53Client,
} from "@aws-sdk/client-route-53";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { globalRegionOf } from "../../aws/partitions";
import { HOSTED_ZONE_ID, REGION, roleArnAccount, VPC_ID } from "../../aws/patterns";
import { classify, errorCode, EXIT, HandshakeError } from "./errors";
import { Journal } from "./journal";
import { isThrottling, NO_PACING, outcomeUnknown, Pacer, Retrier, sleep } from "./retry";
import { PairLock } from "./state";
import { runIdFromEnv } from "../../modules/run-id";

export interface HandshakeRequest {
  readonly zoneId: string;
  /** Zone name, for messages (the hub is not asked for it). */
  readonly zoneName?: string;
  readonly vpcId: string;
  readonly vpcRegion: string;
  /** Role in the zone owner's account (authorizations). Default: the caller's own credentials. */
  readonly zoneRoleArn?: string;
  /** Role in the VPC owner's account (association). Default: the caller's own credentials. */
  readonly vpcRoleArn?: string;
}

export interface HandshakeConfig {
  /** Deadline of the work (association, disassociation). */
  readonly timeoutMs: number;
  /** Per-request timeout (a stalled request is abandoned and retried). */
  readonly requestTimeoutMs: number;
  readonly retryBaseMs: number;
  readonly retryCapMs: number;
  /** First GetChange poll interval; grows x1.5 up to 10x. */
  readonly pollMs: number;
  /** Time the authorization's deletion may take once the work has ended, failed or been interrupted. */
  readonly cleanupGraceMs: number;
  /** How long NotAuthorizedException is read as "the new authorization has not propagated yet" (throttling not counted). */
  readonly propagationMs: number;
  readonly log: (line: string) => void;
  /** First SIGINT/SIGTERM: stop the work; cleanup still runs. */
  readonly signal?: AbortSignal;
  /** Second signal: stop cleaning up too. */
  readonly cleanupSignal?: AbortSignal;
  /** Route 53 call pacing per account (default: none). */
  readonly pacer?: Pacer;
  /** Remembers change ids whose INSYNC was not seen (default: none). */
  readonly journal?: Journal;
  /** Called when an authorization may start to exist ("pending") and when it is known gone ("settled"). */
  readonly onAuthorization?: (state: "pending" | "settled") => void;
  /** The pair's lock (state.ts): runs of one pair, and a killed run's guard, take turns (default: none). */
  readonly pairLock?: (key: string) => PairLock;
}

export const DEFAULT_CONFIG: HandshakeConfig = {
  timeoutMs: 10 * 60_000,
  requestTimeoutMs: 20_000,
  retryBaseMs: 250,
  retryCapMs: 20_000,
  pollMs: 1_000,
  cleanupGraceMs: 120_000,
  propagationMs: 60_000,
  log: (line) => process.stderr.write(`${line}\n`),
};

/** Validates a request; returns every problem (empty when valid). */
export function requestProblems(req: Partial<HandshakeRequest>): string[] {
  const problems: string[] = [];
  if (!req.zoneId) problems.push("--zone-id is required (the hub's private hosted zone id, e.g. Z0123456789ABCDEFGHIJ)");
  else if (!HOSTED_ZONE_ID.test(req.zoneId)) problems.push(`--zone-id ${req.zoneId} is not a hosted zone id (upper-case letters and digits, e.g. Z0123456789ABCDEFGHIJ)`);
  if (!req.vpcId) problems.push("--vpc-id is required (the spoke VPC, e.g. vpc-0a1b2c3d4e5f60718)");
  else if (!VPC_ID.test(req.vpcId)) problems.push(`--vpc-id ${req.vpcId} is not a VPC id (vpc-<8 or 17 hex digits>)`);
  if (!req.vpcRegion) problems.push("--vpc-region is required (the region the VPC lives in)");
  else if (!REGION.test(req.vpcRegion)) problems.push(`--vpc-region ${req.vpcRegion} is not a region code`);
  for (const [flag, arn] of [["--zone-role-arn", req.zoneRoleArn], ["--vpc-role-arn", req.vpcRoleArn]] as const) {
    if (arn && !roleArnAccount(arn)) problems.push(`${flag} ${arn} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
  }
  return problems;
}

/** Whether an authorization for the pair may exist in AWS right now. */
export type AuthorizationState = "none" | "maybe" | "exists";

export interface HandshakeOutcome {
  readonly result: "associated" | "already-associated" | "disassociated" | "not-associated";
  /** Whether the change was seen INSYNC: observed, unconfirmed (its id was lost), or not applicable. */
  readonly insync: "observed" | "unconfirmed" | "not-applicable";
  /** Route 53 calls made, in order (every attempt, throttled ones and GetChange polls included). */
  readonly route53Calls: readonly string[];
  /** Route 53 attempts per account. */
  readonly callsByAccount: Readonly<Record<string, number>>;
}

type Side = "zone" | "vpc";

/** One run of the handshake: clients per side, the two phases, the authorization's state, progress lines. */
class Handshake {
  readonly started = Date.now();
  readonly pair: string;
  readonly zoneId: string;
  private readonly sts: STSClient;
  private readonly clients = new Map<string, Promise<Route53Client>>();
  private callerAccount?: Promise<string>;
  private readonly pacer: Pacer;
  readonly work: Retrier;
  private cleanupPhase?: Retrier;
  readonly calls: string[] = [];
  readonly callsByAccount: Record<string, number> = {};
  authorization: AuthorizationState = "none";

  constructor(
    readonly req: HandshakeRequest,
    readonly config: HandshakeConfig,
  ) {
    this.zoneId = req.zoneId.replace(/^\/hostedzone\//, "");
    this.pair = `${this.zoneId} ${req.vpcId} (${req.vpcRegion})`;
    this.pacer = config.pacer ?? NO_PACING;
    this.work = new Retrier({ deadline: this.started + config.timeoutMs, retryBaseMs: config.retryBaseMs, retryCapMs: config.retryCapMs, signal: config.signal }, this.started);
    this.sts = new STSClient({
      region: globalRegionOf(req.vpcRegion),
      maxAttempts: 1,
      requestHandler: { requestTimeout: config.requestTimeoutMs, connectionTimeout: config.requestTimeoutMs, throwOnRequestTimeout: true },
    });
  }

  /** The cleanup phase: starts when first asked for, lasts `cleanupGraceMs`, ends early only on a second signal. */
  get cleanup(): Retrier {
    this.cleanupPhase ??= new Retrier(
      { deadline: Date.now() + this.config.cleanupGraceMs, retryBaseMs: this.config.retryBaseMs, retryCapMs: this.config.retryCapMs, signal: this.config.cleanupSignal },
      this.started,
    );
    return this.cleanupPhase;
  }

  get journalKey(): string {
    return `${this.zoneId}-${this.req.vpcId}-${this.req.vpcRegion}`;
  }

  log(step: string, outcome: string, attempts: number, detail?: string): void {
    const elapsed = ((Date.now() - this.started) / 1000).toFixed(2);
    const extra = detail ? ` detail="${detail.replace(/"/g, "'")}"` : "";
    this.config.log(`phz-handshake ${this.pair} step=${step} outcome=${outcome} attempts=${attempts} elapsed=${elapsed}s${extra}`);
  }

  /** The account of a side: from its role ARN, or the caller's own. */
  async account(side: Side, phase: Retrier): Promise<string> {
    const fromArn = roleArnAccount(side === "zone" ? this.req.zoneRoleArn : this.req.vpcRoleArn);
    if (fromArn) return fromArn;
    this.callerAccount ??= phase
      .retry("GetCallerIdentity", () => this.sts.send(new GetCallerIdentityCommand({}), { abortSignal: phase.signal }))
      .then((r) => r.value.Account ?? "")
      .catch((error) => {
        this.callerAccount = undefined; // an interrupted lookup must not poison the cleanup's own
        throw error;
      });
    return this.callerAccount;
  }

  /** Whether an authorization is needed: zone and VPC in different accounts. */
  async crossAccount(): Promise<boolean> {
    if (!this.req.zoneRoleArn && !this.req.vpcRoleArn) return false;
    return (await this.account("zone", this.work)) !== (await this.account("vpc", this.work));
  }

  private client(side: Side, phase: Retrier): Promise<Route53Client> {
    const roleArn = side === "zone" ? this.req.zoneRoleArn : this.req.vpcRoleArn;
    const key = roleArn ?? "";
    let client = this.clients.get(key);
    if (!client) {
      client = (async () => {
        const common = {
          region: globalRegionOf(this.req.vpcRegion),
          maxAttempts: 1,
          requestHandler: { requestTimeout: this.config.requestTimeoutMs, connectionTimeout: this.config.requestTimeoutMs, throwOnRequestTimeout: true },
        };
        if (!roleArn) return new Route53Client(common);
        const { value } = await phase.retry("AssumeRole", () =>
          // The run id (the CI job) names the session: CloudTrail tells the changes of two runs apart.
          this.sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: `phz-handshake-${runIdFromEnv(process.env)}`, DurationSeconds: 3600 }), { abortSignal: phase.signal }),
        );
        const c = value.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey) throw new HandshakeError(`AssumeRole ${roleArn} returned no credentials`, EXIT.awsFailure);
        return new Route53Client({ ...common, credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken } });
      })();
      // A failed assumption (an interrupted one, say) must not poison the cleanup's own try.
      client.catch(() => this.clients.delete(key));
      this.clients.set(key, client);
    }
    return client;
  }

  /**
   * One Route 53 call of a side, paced per account and retried within the phase. `onAttemptError` sees
   * each failed attempt (to learn that a request may have taken effect). Logs the step's failure line
   * unless the error is one the caller handles (`expected`).
   */
  async call<T>(
    phase: Retrier,
    side: Side,
    step: string,
    operation: string,
    send: (client: Route53Client, abortSignal?: AbortSignal) => Promise<T>,
    options: { expected?: string[]; onAttemptError?: (error: unknown) => void } = {},
  ): Promise<{ value: T; attempts: number }> {
    let attempts = 0;
    try {
      const client = await this.client(side, phase);
      const account = await this.account(side, phase);
      return await phase.retry(operation, async () => {
        await this.pacer.acquire(account, phase.signal, phase.deadline);
        attempts++;
        this.calls.push(operation);
        this.callsByAccount[account] = (this.callsByAccount[account] ?? 0) + 1;
        try {
          return await send(client, phase.signal);
        } catch (error) {
          options.onAttemptError?.(error);
          throw error;
        }
      });
    } catch (error) {
      if (!options.expected?.includes(errorCode(error))) this.log(step, "failed", attempts, `${errorCode(error)}: ${(error as Error).message}`);
      throw Object.assign(error as object, { attempts });
    }
  }

  private get vpc() {
    return { VPCId: this.req.vpcId, VPCRegion: this.req.vpcRegion as never };
  }

  /**
   * Does the VPC have this zone? Asked of the VPC owner (ListHostedZonesByVPC), so the hub account,
   * which every spoke shares, is not. Falls back to the zone owner's GetHostedZone when the VPC owner may
   * not list (AccessDenied).
   */
  async vpcHasZone(phase: Retrier = this.work): Promise<boolean> {
    try {
      let token: string | undefined;
      let calls = 0;
      for (;;) {
        const { value, attempts } = await this.call(
          phase,
          "vpc",
          "check",
          "ListHostedZonesByVPC",
          (c, abortSignal) => c.send(new ListHostedZonesByVPCCommand({ VPCId: this.req.vpcId, VPCRegion: this.req.vpcRegion as never, NextToken: token }), { abortSignal }),
          { expected: ["AccessDenied", "AccessDeniedException"] },
        );
        calls += attempts;
        if ((value.HostedZoneSummaries ?? []).some((z) => z.HostedZoneId?.replace(/^\/hostedzone\//, "") === this.zoneId)) {
          this.log("check", "associated", calls);
          return true;
        }
        token = value.NextToken;
        if (!token) {
          this.log("check", "not-associated", calls);
          return false;
        }
      }
    } catch (error) {
      if (!/^AccessDenied/.test(errorCode(error))) throw error;
      const { value, attempts } = await this.call(phase, "zone", "check", "GetHostedZone", (c, abortSignal) => c.send(new GetHostedZoneCommand({ Id: this.zoneId }), { abortSignal }));
      const associated = (value.VPCs ?? []).some((v) => v.VPCId === this.req.vpcId && v.VPCRegion === this.req.vpcRegion);
      this.log("check", associated ? "associated" : "not-associated", attempts, "asked the zone owner: the VPC owner may not call ListHostedZonesByVPC");
      return associated;
    }
  }

  /** Creates the authorization. Its state goes to "maybe" before the request, "exists" on success, back to "none" only when AWS surely refused. */
  async authorize(): Promise<void> {
    this.authorization = "maybe";
    this.config.onAuthorization?.("pending");
    let uncertain = false;
    try {
      const { attempts } = await this.call(
        this.work,
        "zone",
        "authorize",
        "CreateVPCAssociationAuthorization",
        (c, abortSignal) => c.send(new CreateVPCAssociationAuthorizationCommand({ HostedZoneId: this.zoneId, VPC: this.vpc }), { abortSignal }),
        { onAttemptError: (e) => (uncertain ||= outcomeUnknown(e)) },
      );
      this.authorization = "exists";
      this.log("authorize", "ok", attempts);
    } catch (error) {
      // Refused by Route 53 (invalid input, throttled...) and no attempt with an unknown outcome: nothing was created.
      if (!uncertain && !outcomeUnknown(error) && !(error instanceof HandshakeError && this.config.signal?.aborted)) {
        this.authorization = "none";
        this.config.onAuthorization?.("settled");
      }
      throw error;
    }
  }

  /**
   * Deletes the authorization within the cleanup phase; a missing one (or zone) is success. On failure
   * the state stays (maybe/exists) and the caller reports the leak.
   */
  async deauthorize(reason: "cleanup" | "leftover"): Promise<"deleted" | "none-left"> {
    const expected = ["VPCAssociationAuthorizationNotFound", "NoSuchHostedZone"];
    try {
      const { attempts } = await this.call(
        this.cleanup,
        "zone",
        "deauthorize",
        "DeleteVPCAssociationAuthorization",
        (c, abortSignal) => c.send(new DeleteVPCAssociationAuthorizationCommand({ HostedZoneId: this.zoneId, VPC: this.vpc }), { abortSignal }),
        { expected },
      );
      this.settle();
      this.log("deauthorize", "ok", attempts, reason === "leftover" ? "an authorization left by an earlier run" : undefined);
      return "deleted";
    } catch (error) {
      if (!expected.includes(errorCode(error))) throw error;
      this.settle();
      this.log("deauthorize", "none-left", (error as { attempts?: number }).attempts ?? 1);
      return "none-left";
    }
  }

  private settle(): void {
    this.authorization = "none";
    this.config.onAuthorization?.("settled");
  }

  /** The command that removes the authorization by hand. */
  get cleanupCommand(): string {
    return `aws route53 delete-vpc-association-authorization --hosted-zone-id ${this.zoneId} --vpc VPCRegion=${this.req.vpcRegion},VPCId=${this.req.vpcId}`;
  }

  /**
   * Polls GetChange, as the VPC owner (the account that submitted the change: a change is visible to it
   * only), until INSYNC. "unknown": Route 53 does not know the change (NoSuchChange: a journaled id of
   * another submitter, or one it no longer keeps); the caller then checks the fact itself.
   */
  async waitInsync(step: string, changeId: string): Promise<"insync" | "unknown"> {
    let interval = this.config.pollMs;
    let polls = 0;
    for (;;) {
      polls++;
      let response;
      try {
        ({ value: response } = await this.call(this.work, "vpc", step, "GetChange", (c, abortSignal) => c.send(new GetChangeCommand({ Id: changeId }), { abortSignal }), { expected: ["NoSuchChange"] }));
      } catch (error) {
        if (errorCode(error) !== "NoSuchChange") throw error;
        this.log(step, "change-unknown", polls, `Route 53 does not know change ${changeId}: checking the association itself`);
        return "unknown";
      }
      if (response.ChangeInfo?.Status === "INSYNC") {
        this.log(step, "insync", polls);
        return "insync";
      }
      if (Date.now() + interval > this.work.deadline) {
        this.log(step, "failed", polls, `still ${response.ChangeInfo?.Status} at the deadline`);
        throw new HandshakeError(`change ${changeId} still ${response.ChangeInfo?.Status} after ${this.config.timeoutMs / 1000} s`, EXIT.awsFailure);
      }
      await this.work.sleep(interval);
      interval = Math.min(interval * 1.5, this.config.pollMs * 10);
    }
  }

  /**
   * Associates the VPC. NotAuthorizedException right after the authorization is read as propagation and
   * retried for `propagationMs` (throttled attempts do not count). ConflictingDomainExists or "already
   * associated" is checked: this zone (an earlier attempt of ours whose answer was lost, or someone else)
   * or another zone of that name (exit 4).
   */
  async associateVpc(zoneName: string | undefined): Promise<{ changeId?: string; byThisRun: boolean }> {
    // (the "already associated?" check happens here, on conflict: the happy path needs no extra call)
    const expected = ["ConflictingDomainExists", "InvalidInput", "NotAuthorizedException"];
    let uncertain = false;
    let propagationWaited = 0;
    let attemptsSoFar = 0;
    for (let round = 1; ; round++) {
      try {
        const { value: response, attempts } = await this.call(
          this.work,
          "vpc",
          "associate",
          "AssociateVPCWithHostedZone",
          (c, abortSignal) => c.send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: this.zoneId, VPC: this.vpc, Comment: "privatelink-cdktf phz-handshake" }), { abortSignal }),
          { expected, onAttemptError: (e) => (uncertain ||= outcomeUnknown(e)) },
        );
        this.log("associate", "ok", attemptsSoFar + attempts);
        return { changeId: response.ChangeInfo?.Id, byThisRun: true };
      } catch (error) {
        attemptsSoFar += (error as { attempts?: number }).attempts ?? 1;
        const code = errorCode(error);
        if (code === "ConflictingDomainExists" || (code === "InvalidInput" && /already associated/i.test((error as Error).message))) {
          if (await this.vpcHasZone()) {
            this.log("associate", uncertain ? "associated-answer-lost" : "already", attemptsSoFar, uncertain ? "an earlier attempt of this run took effect; its change id was lost" : "the VPC is associated with this zone");
            return { byThisRun: uncertain };
          }
          throw new HandshakeError(
            `VPC ${this.req.vpcId} (${this.req.vpcRegion}) already uses another private hosted zone ${zoneName ? `named ${zoneName}` : `of the same name as ${this.zoneId}`}, so Route 53 refuses a second one ` +
              `(ConflictingDomainExists). Usually the spoke has its own interface endpoint for this service with private DNS enabled: ` +
              `delete that endpoint or turn its private DNS off (or disassociate the other zone), then re-run. AWS said: ${(error as Error).message}`,
            EXIT.conflictingDomain,
          );
        }
        if (code === "NotAuthorizedException" && this.authorization !== "none" && propagationWaited < this.config.propagationMs) {
          // The authorization was just created: it propagates within seconds, sometimes more.
          const delay = Math.min(this.config.propagationMs - propagationWaited, Math.min(5_000, Math.max(this.config.retryBaseMs, 500 * 2 ** Math.min(round - 1, 3))));
          propagationWaited += delay;
          await this.work.sleep(delay);
          continue;
        }
        this.log("associate", "failed", attemptsSoFar, `${code}: ${(error as Error).message}${code === "NotAuthorizedException" ? ` (after ${(propagationWaited / 1000).toFixed(1)} s of waiting for the authorization to propagate)` : ""}`);
        throw classify(error, "associate");
      }
    }
  }

  async disassociateVpc(): Promise<{ changeId?: string; already: boolean }> {
    const expected = ["VPCAssociationNotFound", "NoSuchHostedZone"];
    try {
      const { value: response, attempts } = await this.call(
        this.work,
        "vpc",
        "disassociate",
        "DisassociateVPCFromHostedZone",
        (c, abortSignal) => c.send(new DisassociateVPCFromHostedZoneCommand({ HostedZoneId: this.zoneId, VPC: this.vpc, Comment: "privatelink-cdktf phz-handshake" }), { abortSignal }),
        { expected },
      );
      this.log("disassociate", "ok", attempts);
      return { changeId: response.ChangeInfo?.Id, already: false };
    } catch (error) {
      const code = errorCode(error);
      if (expected.includes(code)) {
        this.log("disassociate", "not-associated", (error as { attempts?: number }).attempts ?? 1, code);
        return { already: true };
      }
      throw classify(error, "disassociate");
    }
  }

  outcome(result: HandshakeOutcome["result"], insync: HandshakeOutcome["insync"]): HandshakeOutcome {
    return { result, insync, route53Calls: this.calls, callsByAccount: this.callsByAccount };
  }
}

/** A handshake run for a valid request (bad input throws with exit code 2). */
function begin(req: HandshakeRequest, config: Partial<HandshakeConfig>): Handshake {
  const problems = requestProblems(req);
  if (problems.length > 0) throw new HandshakeError(problems.join("; "), EXIT.badInput);
  return new Handshake(req, { ...DEFAULT_CONFIG, ...config });
}

/** The failure of the work, combined with what the cleanup found; a leak is named only when one may exist. */
function finish(run: Handshake, failure: unknown, cleanupError: unknown, what: string): never | void {
  const interrupted = run.config.signal?.aborted === true;
  if (cleanupError !== undefined && run.authorization !== "none") {
    const leak = new HandshakeError(
      `the VPC association authorization ${run.authorization === "exists" ? "could NOT be deleted" : "may exist and could NOT be confirmed deleted"} (${errorCode(cleanupError)}: ${(cleanupError as Error).message}): ` +
        `it stays a standing permission; remove it with ${run.cleanupCommand}`,
      EXIT.awsFailure,
    );
    if (failure === undefined) throw leak;
    throw new HandshakeError(`${(classify(failure, what) as Error).message}; AND ${leak.message}`, EXIT.awsFailure);
  }
  if (failure !== undefined) {
    if (interrupted) {
      throw new HandshakeError(`${what} interrupted by a signal; ${run.authorization === "none" ? "no authorization is left" : "the authorization's state is unknown"}`, EXIT.interrupted);
    }
    throw classify(failure, what);
  }
}

/**
 * Takes the pair's lock (when configured): a run waits while another live run of the same pair acts on it,
 * and takes over the lock of a run that died.
 */
async function lockPair(run: Handshake): Promise<PairLock | undefined> {
  const lock = run.config.pairLock?.(run.journalKey);
  if (!lock) return undefined;
  await lock.acquire({
    deadline: run.work.deadline,
    signal: run.config.signal,
    wait: true,
    onWait: (pid) => run.log("lock", "waiting", 1, `another run of this pair (process ${pid}) is at work: waiting for it`),
  });
  return lock;
}

export async function associate(req: HandshakeRequest, config: Partial<HandshakeConfig> = {}): Promise<HandshakeOutcome> {
  const run = begin(req, config);
  const journal = run.config.journal;
  const zoneName = req.zoneName;
  let failure: unknown;
  let outcome: HandshakeOutcome | undefined;
  let crossAccount = false;
  let lock: PairLock | undefined;
  try {
    lock = await lockPair(run);
    crossAccount = await run.crossAccount();
    if (crossAccount) await run.authorize();
    const { changeId, byThisRun } = await run.associateVpc(zoneName);
    if (changeId) {
      journal?.record(run.journalKey, changeId);
      const seen = await run.waitInsync("wait-insync", changeId);
      journal?.clear(run.journalKey);
      if (seen === "unknown" && !(await run.vpcHasZone())) throw new HandshakeError(`associate: Route 53 accepted the association (change ${changeId}) but neither knows the change nor shows the VPC associated`, EXIT.awsFailure);
      outcome = run.outcome("associated", seen === "insync" ? "observed" : "unconfirmed");
    } else if (byThisRun) {
      outcome = run.outcome("associated", "unconfirmed");
    } else {
      // Done before: a re-run, or a run that crashed. Wait for a change this machine saw start, if any; a
      // change Route 53 does not know is no failure: the association itself was just seen.
      const pending = journal?.read(run.journalKey);
      let insync: HandshakeOutcome["insync"] = "unconfirmed";
      if (pending) {
        if ((await run.waitInsync("wait-insync", pending.changeId)) === "insync") insync = "observed";
        journal?.clear(run.journalKey);
      }
      outcome = run.outcome("already-associated", insync);
    }
  } catch (error) {
    failure = error;
  }
  let cleanupError: unknown;
  if (crossAccount && run.authorization !== "none") {
    try {
      await run.deauthorize("cleanup");
    } catch (error) {
      cleanupError = error;
    }
  }
  lock?.release();
  finish(run, failure, cleanupError, "associate");
  return outcome!;
}

export async function disassociate(req: HandshakeRequest, config: Partial<HandshakeConfig> = {}): Promise<HandshakeOutcome> {
  const run = begin(req, config);
  let failure: unknown;
  let outcome: HandshakeOutcome | undefined;
  let crossAccount = false;
  let lock: PairLock | undefined;
  try {
    lock = await lockPair(run);
    crossAccount = await run.crossAccount();
    const { changeId, already } = await run.disassociateVpc();
    let insync: HandshakeOutcome["insync"] = "not-applicable";
    if (changeId) {
      const seen = await run.waitInsync("wait-insync", changeId);
      if (seen === "unknown" && (await run.vpcHasZone())) throw new HandshakeError(`disassociate: Route 53 accepted the disassociation (change ${changeId}) but neither knows the change nor shows the VPC gone`, EXIT.awsFailure);
      insync = seen === "insync" ? "observed" : "unconfirmed";
    }
    run.config.journal?.clear(run.journalKey);
    outcome = run.outcome(already ? "not-associated" : "disassociated", insync);
  } catch (error) {
    failure = error;
  }
  // An associate that crashed mid-way may have left an authorization: removed here, whatever happened above.
  let cleanupError: unknown;
  if (crossAccount) {
    run.authorization = "maybe";
    try {
      await run.deauthorize("leftover");
    } catch (error) {
      cleanupError = error;
    }
  }
  lock?.release();
  finish(run, failure, cleanupError, "disassociate");
  return outcome!;
}

/**
 * The guard's job: after the process that ran a handshake died without confirming its authorization
 * gone (SIGKILL: Terraform's first interrupt kills local-exec children), delete it within the grace
 * period. Waits `settleMs` first, so a request still in flight when its sender died has landed.
 */
export async function sweep(req: HandshakeRequest, config: Partial<HandshakeConfig> & { settleMs?: number } = {}): Promise<"deleted" | "none-left" | "newer-run"> {
  const run = begin(req, config);
  await sleep(config.settleMs ?? 2_000, config.cleanupSignal);
  // A newer run of the pair (a retried job, a second apply) holds it: the authorization is that run's to
  // delete, and deleting it now would break its association (NotAuthorizedException).
  const lock = run.config.pairLock?.(run.journalKey);
  if (lock) {
    const taken = await lock.acquire({ deadline: run.cleanup.deadline, signal: config.cleanupSignal, wait: false });
    if (!taken.acquired) {
      run.log("sweep", "newer-run", 0, `process ${taken.pid} is a newer run of this pair: it deletes the authorization itself`);
      return "newer-run";
    }
  }
  run.authorization = "maybe";
  try {
    return await run.deauthorize("leftover");
  } catch (error) {
    throw new HandshakeError(`the authorization left by a killed handshake could not be deleted (${errorCode(error)}): remove it with ${run.cleanupCommand}`, EXIT.awsFailure);
  } finally {
    lock?.release();
  }
}

/** Whether an error is a throttling answer (for tests and the benchmark). */
export { isThrottling };
