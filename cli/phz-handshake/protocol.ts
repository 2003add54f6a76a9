/**
 * The Route 53 protocol of phz-handshake: the steps that join a VPC to a private hosted zone of
 * (possibly) another account, the way seed 000 does it by hand, safely:
 *
 *   associate:    zone owner authorizes the VPC (cross-account only) -> VPC owner associates ->
 *                 wait INSYNC -> zone owner deletes the authorization, ALWAYS (also on failure).
 *   disassociate: VPC owner disassociates -> wait INSYNC -> zone owner deletes any authorization left.
 *
 * Idempotent (an associated pair is success with no change; a missing one on disassociate too);
 * every call goes through the retry engine (retry.ts). Credentials: the SDK's default chain, then the
 * optional roles are assumed for each side.
 */
import {
  AssociateVPCWithHostedZoneCommand,
  CreateVPCAssociationAuthorizationCommand,
  DeleteVPCAssociationAuthorizationCommand,
  DisassociateVPCFromHostedZoneCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  Route53Client,
} from "@aws-sdk/client-route-53";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { globalRegionOf } from "../../aws/partitions";
import { HOSTED_ZONE_ID, REGION, roleArnAccount, VPC_ID } from "../../aws/patterns";
import { classify, errorCode, EXIT, HandshakeError } from "./errors";
import { Retrier } from "./retry";

export interface HandshakeRequest {
  readonly zoneId: string;
  readonly vpcId: string;
  readonly vpcRegion: string;
  /** Role in the zone owner's account (authorizations). Default: the caller's own credentials. */
  readonly zoneRoleArn?: string;
  /** Role in the VPC owner's account (association). Default: the caller's own credentials. */
  readonly vpcRoleArn?: string;
}

export interface HandshakeConfig {
  /** Whole operation deadline. */
  readonly timeoutMs: number;
  /** Per-request timeout (a stalled request is abandoned and retried). */
  readonly requestTimeoutMs: number;
  readonly retryBaseMs: number;
  readonly retryCapMs: number;
  /** First GetChange poll interval; grows x1.5 up to 10x. */
  readonly pollMs: number;
  /** Extra time past the deadline for deleting the authorization: cleanup must not be cut short. */
  readonly cleanupGraceMs: number;
  readonly log: (line: string) => void;
  /** Aborts the run (SIGINT/SIGTERM): the authorization is still deleted. */
  readonly signal?: AbortSignal;
}

export const DEFAULT_CONFIG: HandshakeConfig = {
  timeoutMs: 10 * 60_000,
  requestTimeoutMs: 20_000,
  retryBaseMs: 250,
  retryCapMs: 20_000,
  pollMs: 1_000,
  cleanupGraceMs: 120_000,
  log: (line) => process.stderr.write(`${line}\n`),
};

/** Validates a request; returns every problem (empty when valid). */
export function requestProblems(req: Partial<HandshakeRequest>): string[] {
  const problems: string[] = [];
  if (!req.zoneId) problems.push("--zone-id is required (the hub's private hosted zone id, e.g. Z0123456789ABCDEFGHIJ)");
  else if (!HOSTED_ZONE_ID.test(req.zoneId)) problems.push(`--zone-id ${req.zoneId} is not a hosted zone id (upper-case letters and digits, e.g. Z0123456789ABCDEFGHIJ)`);
  if (!req.vpcId) problems.push("--vpc-id is required (the spoke VPC, e.g. vpc-0a1b2c3d4e5f60718)");
  else if (!VPC_ID.test(req.vpcId)) problems.push(`--vpc-id ${req.vpcId} is not a VPC id (vpc-<hex>)`);
  if (!req.vpcRegion) problems.push("--vpc-region is required (the region the VPC lives in)");
  else if (!REGION.test(req.vpcRegion)) problems.push(`--vpc-region ${req.vpcRegion} is not a region code`);
  for (const [flag, arn] of [["--zone-role-arn", req.zoneRoleArn], ["--vpc-role-arn", req.vpcRoleArn]] as const) {
    if (arn && !roleArnAccount(arn)) problems.push(`${flag} ${arn} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
  }
  return problems;
}

/** One run of the handshake: clients per side, retry loop, progress lines. */
class Handshake {
  private readonly retrier: Retrier;
  private readonly pair: string;
  private readonly sts: STSClient;
  private readonly clients = new Map<string, Promise<Route53Client>>();
  private callerAccount?: Promise<string>;
  /** Route 53 calls made, by operation (for measurements and tests). */
  readonly calls: string[] = [];

  constructor(
    private readonly req: HandshakeRequest,
    private readonly config: HandshakeConfig,
  ) {
    this.retrier = new Retrier({ deadline: Date.now() + config.timeoutMs, retryBaseMs: config.retryBaseMs, retryCapMs: config.retryCapMs, signal: config.signal });
    this.pair = `${req.zoneId.replace(/^\/hostedzone\//, "")} ${req.vpcId} (${req.vpcRegion})`;
    this.sts = new STSClient({
      region: globalRegionOf(req.vpcRegion),
      maxAttempts: 1,
      requestHandler: { requestTimeout: config.requestTimeoutMs, connectionTimeout: config.requestTimeoutMs, throwOnRequestTimeout: true },
    });
  }

  private log(step: string, outcome: string, attempts: number, detail?: string): void {
    const elapsed = ((Date.now() - this.retrier.started) / 1000).toFixed(2);
    const extra = detail ? ` detail="${detail.replace(/"/g, "'")}"` : "";
    this.config.log(`phz-handshake ${this.pair} step=${step} outcome=${outcome} attempts=${attempts} elapsed=${elapsed}s${extra}`);
  }

  private async account(roleArn: string | undefined): Promise<string> {
    const fromArn = roleArnAccount(roleArn);
    if (fromArn) return fromArn;
    this.callerAccount ??= this.retrier.retry("GetCallerIdentity", () => this.sts.send(new GetCallerIdentityCommand({}))).then((r) => r.value.Account ?? "");
    return this.callerAccount;
  }

  /** Whether an authorization is needed: zone and VPC in different accounts. */
  async crossAccount(): Promise<boolean> {
    if (!this.req.zoneRoleArn && !this.req.vpcRoleArn) return false;
    return (await this.account(this.req.zoneRoleArn)) !== (await this.account(this.req.vpcRoleArn));
  }

  private client(roleArn: string | undefined): Promise<Route53Client> {
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
        const { value } = await this.retrier.retry("AssumeRole", () =>
          this.sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "phz-handshake", DurationSeconds: 3600 })),
        );
        const c = value.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey) throw new HandshakeError(`AssumeRole ${roleArn} returned no credentials`, EXIT.awsFailure);
        return new Route53Client({ ...common, credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken } });
      })();
      this.clients.set(key, client);
    }
    return client;
  }

  zoneSide(): Promise<Route53Client> {
    return this.client(this.req.zoneRoleArn);
  }
  vpcSide(): Promise<Route53Client> {
    return this.client(this.req.vpcRoleArn);
  }

  private get vpc() {
    return { VPCId: this.req.vpcId, VPCRegion: this.req.vpcRegion as never };
  }

  /**
   * One Route 53 call with retries. Logs the step's line when it fails for good, unless the error is
   * one the caller handles (`expected`); the caller logs success with the attempts returned.
   */
  private async step<T>(step: string, operation: string, run: () => Promise<T>, options: { graceMs?: number; expected?: string[] } = {}): Promise<{ value: T; attempts: number }> {
    let attempts = 0;
    try {
      return await this.retrier.retry(operation, async () => {
        attempts++;
        this.calls.push(operation);
        return run();
      }, options.graceMs ?? 0);
    } catch (error) {
      if (!options.expected?.includes(errorCode(error))) this.log(step, "failed", attempts, `${errorCode(error)}: ${(error as Error).message}`);
      throw Object.assign(error as object, { attempts });
    }
  }

  /** Is the VPC associated with the zone? Asked of the zone owner. */
  async isAssociated(): Promise<{ associated: boolean; zoneName: string }> {
    const zone = await this.zoneSide();
    const { value: response, attempts } = await this.step("check", "GetHostedZone", () => zone.send(new GetHostedZoneCommand({ Id: this.req.zoneId })));
    if (!response.HostedZone?.Config?.PrivateZone) {
      throw new HandshakeError(`${this.req.zoneId} (${response.HostedZone?.Name}) is a public hosted zone: only private zones can be associated with a VPC`, EXIT.badInput);
    }
    const associated = (response.VPCs ?? []).some((v) => v.VPCId === this.req.vpcId && v.VPCRegion === this.req.vpcRegion);
    const zoneName = (response.HostedZone?.Name ?? "").replace(/\.$/, "");
    this.log("check", associated ? "associated" : "not-associated", attempts, zoneName);
    return { associated, zoneName };
  }

  async authorize(): Promise<void> {
    const zone = await this.zoneSide();
    const { attempts } = await this.step("authorize", "CreateVPCAssociationAuthorization", () =>
      zone.send(new CreateVPCAssociationAuthorizationCommand({ HostedZoneId: this.req.zoneId, VPC: this.vpc })),
    );
    this.log("authorize", "ok", attempts);
  }

  /** Deletes the authorization; a missing one (or zone) is success. Gets a grace period past the deadline. */
  async deauthorize(): Promise<void> {
    const zone = await this.zoneSide();
    const expected = ["VPCAssociationAuthorizationNotFound", "NoSuchHostedZone"];
    try {
      const { attempts } = await this.step(
        "deauthorize",
        "DeleteVPCAssociationAuthorization",
        () => zone.send(new DeleteVPCAssociationAuthorizationCommand({ HostedZoneId: this.req.zoneId, VPC: this.vpc })),
        { graceMs: this.config.cleanupGraceMs, expected },
      );
      this.log("deauthorize", "ok", attempts);
    } catch (error) {
      const code = errorCode(error);
      if (expected.includes(code)) {
        this.log("deauthorize", "none-left", (error as { attempts?: number }).attempts ?? 1);
        return;
      }
      throw new HandshakeError(
        `the VPC association authorization could NOT be deleted (${code}): it stays a standing permission; remove it with ` +
          `aws route53 delete-vpc-association-authorization --hosted-zone-id ${this.req.zoneId} --vpc VPCRegion=${this.req.vpcRegion},VPCId=${this.req.vpcId}`,
        EXIT.awsFailure,
      );
    }
  }

  async waitInsync(step: string, changeId: string | undefined): Promise<void> {
    if (!changeId) return;
    const client = await this.vpcSide();
    let interval = this.config.pollMs;
    let polls = 0;
    for (;;) {
      polls++;
      const { value: response } = await this.step(step, "GetChange", () => client.send(new GetChangeCommand({ Id: changeId })));
      if (response.ChangeInfo?.Status === "INSYNC") {
        this.log(step, "insync", polls);
        return;
      }
      if (Date.now() + interval > this.retrier.deadline) {
        this.log(step, "failed", polls, `still ${response.ChangeInfo?.Status} at the deadline`);
        throw new HandshakeError(`change ${changeId} still ${response.ChangeInfo?.Status} after ${this.config.timeoutMs / 1000} s`, EXIT.awsFailure);
      }
      await this.retrier.sleep(interval);
      interval = Math.min(interval * 1.5, this.config.pollMs * 10);
    }
  }

  async associateVpc(zoneName: string): Promise<{ changeId?: string; already: boolean }> {
    const client = await this.vpcSide();
    const expected = ["ConflictingDomainExists", "InvalidInput", "NotAuthorizedException"];
    let attempts = 0;
    for (;;) {
      try {
        const { value: response, attempts: tries } = await this.step(
          "associate",
          "AssociateVPCWithHostedZone",
          () => client.send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: this.req.zoneId, VPC: this.vpc, Comment: "privatelink-cdktf phz-handshake" })),
          { expected },
        );
        this.log("associate", "ok", attempts + tries);
        return { changeId: response.ChangeInfo?.Id, already: false };
      } catch (error) {
        attempts += (error as { attempts?: number }).attempts ?? 1;
        const code = errorCode(error);
        if (code === "ConflictingDomainExists" || (code === "InvalidInput" && /already associated/i.test((error as Error).message))) {
          // A retry after a lost answer lands here too: is it *this* zone?
          const { associated } = await this.isAssociated();
          if (associated) {
            this.log("associate", "already", attempts, "the VPC is associated with this zone");
            return { already: true };
          }
          throw new HandshakeError(
            `VPC ${this.req.vpcId} (${this.req.vpcRegion}) already uses another private hosted zone named ${zoneName}, so Route 53 refuses a second one ` +
              `(ConflictingDomainExists). Usually the spoke has its own interface endpoint for this service with private DNS enabled: ` +
              `delete that endpoint or turn its private DNS off (or disassociate the other zone), then re-run. AWS said: ${(error as Error).message}`,
            EXIT.conflictingDomain,
          );
        }
        if (code === "NotAuthorizedException" && attempts < 4) {
          // The authorization was just created; give it a moment to propagate.
          await this.retrier.sleep(Math.min(this.config.retryCapMs, this.config.retryBaseMs * 2 ** attempts));
          continue;
        }
        this.log("associate", "failed", attempts, `${code}: ${(error as Error).message}`);
        throw classify(error, "associate");
      }
    }
  }

  async disassociateVpc(): Promise<{ changeId?: string; already: boolean }> {
    const client = await this.vpcSide();
    const expected = ["VPCAssociationNotFound", "NoSuchHostedZone"];
    try {
      const { value: response, attempts } = await this.step(
        "disassociate",
        "DisassociateVPCFromHostedZone",
        () => client.send(new DisassociateVPCFromHostedZoneCommand({ HostedZoneId: this.req.zoneId, VPC: this.vpc, Comment: "privatelink-cdktf phz-handshake" })),
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
}

export interface HandshakeOutcome {
  readonly result: "associated" | "already-associated" | "disassociated" | "not-associated";
  /** Route 53 calls made, in order (GetChange polls included). */
  readonly route53Calls: readonly string[];
}

/** A handshake run for a valid request (bad input throws with exit code 2). */
function begin(req: HandshakeRequest, config: Partial<HandshakeConfig>): Handshake {
  const problems = requestProblems(req);
  if (problems.length > 0) throw new HandshakeError(problems.join("; "), EXIT.badInput);
  return new Handshake(req, { ...DEFAULT_CONFIG, ...config });
}

export async function associate(req: HandshakeRequest, config: Partial<HandshakeConfig> = {}): Promise<HandshakeOutcome> {
  const run = begin(req, config);
  try {
    const crossAccount = await run.crossAccount();
    const { associated, zoneName } = await run.isAssociated();
    if (associated) {
      // Already done (a re-run, or a run that crashed before cleaning up): only make sure no authorization is left.
      if (crossAccount) await run.deauthorize();
      return { result: "already-associated", route53Calls: run.calls };
    }
    if (!crossAccount) {
      const { changeId } = await run.associateVpc(zoneName);
      await run.waitInsync("wait-insync", changeId);
      return { result: "associated", route53Calls: run.calls };
    }
    let failure: unknown;
    let result: HandshakeOutcome["result"] = "associated";
    try {
      await run.authorize();
      const { changeId, already } = await run.associateVpc(zoneName);
      if (already) result = "already-associated";
      await run.waitInsync("wait-insync", changeId);
    } catch (error) {
      failure = error;
    }
    try {
      await run.deauthorize(); // always: a left-over authorization is a standing permission
    } catch (error) {
      throw failure ? new HandshakeError(`${(failure as Error).message}; AND ${(error as Error).message}`, EXIT.awsFailure) : error;
    }
    if (failure) throw classify(failure, "associate");
    return { result, route53Calls: run.calls };
  } catch (error) {
    throw classify(error, "associate");
  }
}

export async function disassociate(req: HandshakeRequest, config: Partial<HandshakeConfig> = {}): Promise<HandshakeOutcome> {
  const run = begin(req, config);
  try {
    const crossAccount = await run.crossAccount();
    const { changeId, already } = await run.disassociateVpc();
    await run.waitInsync("wait-insync", changeId);
    if (crossAccount) await run.deauthorize(); // clean up after an associate that crashed mid-way
    return { result: already ? "not-associated" : "disassociated", route53Calls: run.calls };
  } catch (error) {
    throw classify(error, "disassociate");
  }
}
