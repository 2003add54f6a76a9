/**
 * A wire-level emulator of the Route 53 calls that share a private hosted zone across accounts, and
 * of STS AssumeRole / GetCallerIdentity, written from the AWS API references:
 *
 * - REST-XML Route 53 API 2013-04-01: GetHostedZone, CreateVPCAssociationAuthorization,
 *   DeleteVPCAssociationAuthorization, ListVPCAssociationAuthorizations, AssociateVPCWithHostedZone,
 *   DisassociateVPCFromHostedZone, GetChange, ListHostedZonesByVPC;
 * - query-protocol STS: AssumeRole, GetCallerIdentity.
 *
 * The caller's account comes from the access key in the SigV4 `Authorization` header: base keys are
 * registered with an account, AssumeRole issues keys of the role's account. Rules enforced (the ones
 * moto does not): only the zone owner sees the zone and manages its authorizations; a VPC owner in
 * another account may associate only while an authorization exists; only the VPC owner (or zone
 * owner) disassociates; a VPC never joins two zones of the same name (ConflictingDomainExists); a
 * change is PENDING, then INSYNC after a number of GetChange polls.
 *
 * Faults can be injected per operation and call number: throttling, PriorRequestNotComplete,
 * ConcurrentModification, 500/503, a dropped connection before or after the operation took effect,
 * or a stalled request (never answered).
 */
import * as http from "http";
import { AddressInfo, Socket } from "net";
import { randomBytes } from "crypto";
import { roleArnAccount } from "../aws/patterns";
import { KNOWN_REGIONS } from "../aws/regions";

const NS = "https://route53.amazonaws.com/doc/2013-04-01/";

export type Fault =
  | "Throttling"
  | "PriorRequestNotComplete"
  | "ConcurrentModification"
  | "InternalError"
  | "ServiceUnavailable"
  /** Socket destroyed before the operation runs. */
  | "drop"
  /** Operation runs, then the socket is destroyed: the caller never sees the answer. */
  | "drop-after-commit"
  /** The request is never answered (caller's timeout must fire). */
  | "stall"
  /** A non-retryable answer: the request is refused as invalid. */
  | "InvalidVPCId";

export interface FaultRule {
  /** Operation name, e.g. AssociateVPCWithHostedZone; any operation when omitted. */
  readonly operation?: string;
  /** 1-based call number of that operation (counted over the emulator's life) where the fault starts. */
  readonly nth?: number;
  /** How many consecutive calls fail (default 1). */
  readonly times?: number;
  readonly fault: Fault;
  /** Called when the fault fires (e.g. to kill a client mid-flight). */
  readonly onFire?: () => void;
}

export interface CallRecord {
  /** When the call arrived (epoch ms). */
  readonly at?: number;
  /** AssumeRole: the session name asked for. */
  readonly sessionName?: string;
  readonly operation: string;
  readonly account: string | undefined;
  readonly status: number;
  readonly fault?: Fault;
  readonly error?: string;
}

interface Zone {
  readonly id: string;
  readonly name: string;
  readonly owner: string;
  readonly private: boolean;
  vpcs: Array<{ id: string; region: string }>;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const xmlEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const tag = (name: string, body: string) => `<${name}>${body}</${name}>`;
const vpcXml = (v: { id: string; region: string }) => tag("VPC", tag("VPCRegion", v.region) + tag("VPCId", v.id));
const bare = (id: string) => id.replace(/^\/(hostedzone|change)\//, "");
const fieldOf = (body: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1];

export class Route53Emulator {
  private server?: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly zones = new Map<string, Zone>();
  private readonly vpcs = new Map<string, { owner: string; region: string }>();
  private readonly keys = new Map<string, string>();
  private readonly authorizations = new Set<string>();
  /** Changes by id, with the account that submitted each: Route 53 shows a change to that account only. */
  private readonly changes = new Map<string, { polls: number; account: string }>();
  private readonly counts = new Map<string, number>();
  private faults: Array<FaultRule & { remaining: number }> = [];
  readonly calls: CallRecord[] = [];
  /** GetChange polls answered PENDING before a change reports INSYNC. */
  pendingPolls = 1;
  /**
   * Route 53's request rate limit per account (requests per second), as a token bucket holding one
   * second of requests; above it, 400 Throttling "Rate exceeded". 0: no limit.
   */
  ratePerAccount = 0;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  /** Milliseconds before a new authorization is honoured by AssociateVPCWithHostedZone (propagation). */
  authorizationDelayMs = 0;
  private readonly authorizedAt = new Map<string, number>();
  url = "";

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Forgets every change (as Route 53 does after a while): a journaled change id is then NoSuchChange. */
  forgetChanges(): void {
    this.changes.clear();
  }

  /** Registers base credentials (what `aws configure` would hold) for an account. */
  addAccessKey(accessKeyId: string, account: string): void {
    this.keys.set(accessKeyId, account);
  }

  addVpc(vpcId: string, owner: string, region: string): void {
    this.vpcs.set(vpcId, { owner, region });
  }

  /** Creates a private zone owned by `owner`, associated with its first VPC. */
  addZone(name: string, owner: string, firstVpc: { id: string; region: string }, isPrivate = true): string {
    const id = `Z${randomBytes(9).toString("hex").toUpperCase().slice(0, 18)}`;
    this.zones.set(id, { id, name: name.replace(/\.?$/, "."), owner, private: isPrivate, vpcs: [{ ...firstVpc }] });
    return id;
  }

  inject(rule: FaultRule): void {
    this.faults.push({ ...rule, remaining: rule.times ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** VPCs associated with a zone, as "vpc@region". */
  associations(zoneId: string): string[] {
    return (this.zones.get(bare(zoneId))?.vpcs ?? []).map((v) => `${v.id}@${v.region}`);
  }

  /** Outstanding authorizations, as "zone|vpc|region". */
  authorizationsLeft(): string[] {
    return [...this.authorizations];
  }

  /** Route 53 attempts (throttled ones included) and successful calls per account since the log was last cleared. */
  callsByAccount(): Record<string, { attempts: number; ok: number; throttled: number }> {
    const out: Record<string, { attempts: number; ok: number; throttled: number }> = {};
    for (const c of this.route53Calls()) {
      const entry = (out[c.account ?? "?"] ??= { attempts: 0, ok: 0, throttled: 0 });
      entry.attempts++;
      if (c.status === 200) entry.ok++;
      if (c.error === "Throttling") entry.throttled++;
    }
    return out;
  }

  /** Calls of Route 53 operations (not STS) since the log was last cleared. */
  route53Calls(): CallRecord[] {
    return this.calls.filter((c) => !["AssumeRole", "GetCallerIdentity"].includes(c.operation));
  }

  clearCalls(): void {
    this.calls.length = 0;
  }

  // -------------------------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await new Promise<string>((resolve) => {
      let data = "";
      req.on("data", (chunk) => (data += chunk));
      req.on("end", () => resolve(data));
    });
    const url = new URL(req.url ?? "/", "http://localhost");
    const account = this.accountOf(req.headers.authorization);
    let operation = "Unknown";
    try {
      const route = this.route(req.method ?? "GET", url, body);
      operation = route.operation;
      const count = (this.counts.get(operation) ?? 0) + 1;
      this.counts.set(operation, count);
      const fault = this.takeFault(operation, count);
      if (fault) {
        fault.onFire?.();
        if (fault.fault === "stall") {
          this.calls.push({ operation, account, status: 0, fault: fault.fault });
          return; // never answered
        }
        if (fault.fault === "drop") {
          this.calls.push({ operation, account, status: 0, fault: fault.fault });
          req.socket.destroy();
          return;
        }
        if (fault.fault !== "drop-after-commit") throw this.faultError(fault.fault);
      }
      if (account === undefined) throw new ApiError(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
      if (!["AssumeRole", "GetCallerIdentity"].includes(operation)) this.throttle(account);
      const xml = route.run(account);
      if (fault?.fault === "drop-after-commit") {
        this.calls.push({ operation, account, status: 0, fault: fault.fault });
        req.socket.destroy();
        return;
      }
      this.calls.push({ at: Date.now(), operation, account, status: 200, ...(operation === "AssumeRole" ? { sessionName: new URLSearchParams(body).get("RoleSessionName") ?? undefined } : {}) });
      res.writeHead(200, { "content-type": "text/xml", "x-amzn-requestid": randomBytes(8).toString("hex") });
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
    } catch (error) {
      const e = error instanceof ApiError ? error : new ApiError(500, "InternalError", String(error));
      this.calls.push({ at: Date.now(), operation, account, status: e.status, error: e.code });
      res.writeHead(e.status, { "content-type": "text/xml", "x-amzn-requestid": randomBytes(8).toString("hex") });
      const isSts = operation === "AssumeRole" || operation === "GetCallerIdentity";
      const type = e.status >= 500 ? "Receiver" : "Sender";
      res.end(
        isSts
          ? `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>${type}</Type><Code>${e.code}</Code><Message>${xmlEscape(e.message)}</Message></Error><RequestId>r</RequestId></ErrorResponse>`
          : `<?xml version="1.0"?>\n<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${e.code}</Code><Message>${xmlEscape(e.message)}</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
      );
    }
  }

  /** Takes a token of the account's bucket, or answers Throttling. */
  private throttle(account: string): void {
    if (this.ratePerAccount <= 0) return;
    const now = Date.now();
    const bucket = this.buckets.get(account) ?? { tokens: this.ratePerAccount, at: now };
    bucket.tokens = Math.min(this.ratePerAccount, bucket.tokens + ((now - bucket.at) / 1000) * this.ratePerAccount);
    bucket.at = now;
    this.buckets.set(account, bucket);
    if (bucket.tokens < 1) throw new ApiError(400, "Throttling", "Rate exceeded");
    bucket.tokens -= 1;
  }

  private takeFault(operation: string, count: number): FaultRule | undefined {
    const rule = this.faults.find((f) => f.remaining > 0 && (f.operation === undefined || f.operation === operation) && count >= (f.nth ?? 1));
    if (!rule) return undefined;
    rule.remaining--;
    return rule;
  }

  private faultError(fault: Fault): ApiError {
    switch (fault) {
      case "Throttling":
        return new ApiError(400, "Throttling", "Rate exceeded");
      case "PriorRequestNotComplete":
        return new ApiError(400, "PriorRequestNotComplete", "The request was rejected because Route 53 was still processing a prior request.");
      case "ConcurrentModification":
        return new ApiError(400, "ConcurrentModification", "Another user submitted a request to create, update, or delete the object at the same time.");
      case "ServiceUnavailable":
        return new ApiError(503, "ServiceUnavailable", "Service Unavailable");
      case "InvalidVPCId":
        return new ApiError(400, "InvalidVPCId", "The VPC ID is not valid or the current account is not authorized to access this VPC.");
      default:
        return new ApiError(500, "InternalError", "We encountered an internal error. Please try again.");
    }
  }

  private accountOf(authorization: string | undefined): string | undefined {
    const key = /Credential=([^/]+)\//.exec(authorization ?? "")?.[1];
    return key ? this.keys.get(key) : undefined;
  }

  private route(method: string, url: URL, body: string): { operation: string; run: (account: string) => string } {
    const path = url.pathname;
    if (method === "POST" && (path === "/" || path === "")) {
      const form = new URLSearchParams(body);
      const action = form.get("Action") ?? "";
      if (action === "AssumeRole") return { operation: action, run: () => this.assumeRole(form.get("RoleArn") ?? "") };
      if (action === "GetCallerIdentity") return { operation: action, run: (account) => this.callerIdentity(account) };
      throw new ApiError(400, "InvalidAction", `Unsupported action ${action}`);
    }
    let m: RegExpExecArray | null;
    if (method === "GET" && (m = /^\/2013-04-01\/hostedzone\/([^/]+)$/.exec(path))) {
      const id = m[1];
      return { operation: "GetHostedZone", run: (account) => this.getHostedZone(account, id) };
    }
    if ((m = /^\/2013-04-01\/hostedzone\/([^/]+)\/(authorizevpcassociation|deauthorizevpcassociation|associatevpc|disassociatevpc)$/.exec(path))) {
      const id = m[1];
      const vpc = { id: fieldOf(body, "VPCId") ?? "", region: fieldOf(body, "VPCRegion") ?? "" };
      switch (`${method} ${m[2]}`) {
        case "POST authorizevpcassociation":
          return { operation: "CreateVPCAssociationAuthorization", run: (a) => this.authorize(a, id, vpc) };
        case "GET authorizevpcassociation":
          return { operation: "ListVPCAssociationAuthorizations", run: (a) => this.listAuthorizations(a, id) };
        case "POST deauthorizevpcassociation":
          return { operation: "DeleteVPCAssociationAuthorization", run: (a) => this.deauthorize(a, id, vpc) };
        case "POST associatevpc":
          return { operation: "AssociateVPCWithHostedZone", run: (a) => this.associate(a, id, vpc) };
        case "POST disassociatevpc":
          return { operation: "DisassociateVPCFromHostedZone", run: (a) => this.disassociate(a, id, vpc) };
      }
    }
    if (method === "GET" && (m = /^\/2013-04-01\/change\/([^/]+)$/.exec(path))) {
      const id = m[1];
      return { operation: "GetChange", run: (account) => this.getChange(account, id) };
    }
    if (method === "GET" && path === "/2013-04-01/hostedzonesbyvpc") {
      return {
        operation: "ListHostedZonesByVPC",
        run: (a) => this.zonesByVpc(a, url.searchParams.get("vpcid") ?? "", url.searchParams.get("vpcregion") ?? ""),
      };
    }
    throw new ApiError(404, "UnknownOperation", `${method} ${path}`);
  }

  private assumeRole(roleArn: string): string {
    const account = roleArnAccount(roleArn);
    if (!account) throw new ApiError(400, "ValidationError", `${roleArn} is not a role ARN`);
    const accessKeyId = `ASIA${randomBytes(8).toString("hex").toUpperCase()}`;
    this.keys.set(accessKeyId, account);
    const expiration = new Date(Date.now() + 3600_000).toISOString();
    return `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>${randomBytes(20).toString("hex")}</SecretAccessKey><SessionToken>${randomBytes(32).toString("hex")}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA:phz</AssumedRoleId><Arn>${xmlEscape(roleArn)}</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>`;
  }

  private callerIdentity(account: string): string {
    return `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::${account}:user/ci</Arn><UserId>AIDA</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
  }

  /** The zone, if the caller may see it (only its owner does). */
  private ownedZone(account: string, id: string): Zone {
    const zone = this.zones.get(bare(id));
    if (!zone || zone.owner !== account) throw new ApiError(404, "NoSuchHostedZone", `No hosted zone found with ID: ${bare(id)}`);
    return zone;
  }

  private getHostedZone(account: string, id: string): string {
    const zone = this.ownedZone(account, id);
    return `<GetHostedZoneResponse xmlns="${NS}">${tag(
      "HostedZone",
      tag("Id", `/hostedzone/${zone.id}`) +
        tag("Name", zone.name) +
        tag("CallerReference", zone.id) +
        tag("Config", tag("PrivateZone", String(zone.private))) +
        tag("ResourceRecordSetCount", "2"),
    )}${zone.private ? tag("VPCs", zone.vpcs.map(vpcXml).join("")) : ""}</GetHostedZoneResponse>`;
  }

  private checkVpc(vpc: { id: string; region: string }): void {
    if (!/^vpc-[0-9a-f]+$/.test(vpc.id) || !vpc.region) throw new ApiError(400, "InvalidInput", "Invalid VPC");
    // VPCRegion is an enumeration in the API: an unknown value fails validation.
    if (!KNOWN_REGIONS.has(vpc.region)) throw new ApiError(400, "InvalidInput", `1 validation error detected: Value '${vpc.region}' at 'vPC.vPCRegion' failed to satisfy constraint: Member must satisfy enum value set`);
  }

  private authorize(account: string, id: string, vpc: { id: string; region: string }): string {
    const zone = this.ownedZone(account, id);
    this.checkVpc(vpc);
    this.authorizations.add(`${zone.id}|${vpc.id}|${vpc.region}`);
    this.authorizedAt.set(`${zone.id}|${vpc.id}|${vpc.region}`, Date.now());
    return `<CreateVPCAssociationAuthorizationResponse xmlns="${NS}">${tag("HostedZoneId", zone.id)}${vpcXml(vpc)}</CreateVPCAssociationAuthorizationResponse>`;
  }

  private listAuthorizations(account: string, id: string): string {
    const zone = this.ownedZone(account, id);
    const vpcs = [...this.authorizations]
      .filter((a) => a.startsWith(`${zone.id}|`))
      .map((a) => {
        const [, vpcId, region] = a.split("|");
        return vpcXml({ id: vpcId, region });
      });
    return `<ListVPCAssociationAuthorizationsResponse xmlns="${NS}">${tag("HostedZoneId", zone.id)}${tag("VPCs", vpcs.join(""))}</ListVPCAssociationAuthorizationsResponse>`;
  }

  private deauthorize(account: string, id: string, vpc: { id: string; region: string }): string {
    const zone = this.ownedZone(account, id);
    this.checkVpc(vpc);
    const key = `${zone.id}|${vpc.id}|${vpc.region}`;
    if (!this.authorizations.delete(key)) {
      throw new ApiError(404, "VPCAssociationAuthorizationNotFound", `The VPC ${vpc.id} in ${vpc.region} is not authorized to be associated with ${zone.id}`);
    }
    return `<DeleteVPCAssociationAuthorizationResponse xmlns="${NS}"/>`;
  }

  private newChange(account: string): string {
    const id = `C${randomBytes(9).toString("hex").toUpperCase().slice(0, 14)}`;
    this.changes.set(id, { polls: 0, account });
    return tag("ChangeInfo", tag("Id", `/change/${id}`) + tag("Status", "PENDING") + tag("SubmittedAt", new Date().toISOString()));
  }

  private associate(account: string, id: string, vpc: { id: string; region: string }): string {
    this.checkVpc(vpc);
    const owned = this.vpcs.get(vpc.id);
    if (!owned || owned.owner !== account || owned.region !== vpc.region) {
      throw new ApiError(400, "InvalidVPCId", `The VPC ID '${vpc.id}' in ${vpc.region} isn't valid or the current account is not authorized to access this VPC.`);
    }
    const zone = this.zones.get(bare(id));
    if (!zone) throw new ApiError(404, "NoSuchHostedZone", `No hosted zone found with ID: ${bare(id)}`);
    if (!zone.private) throw new ApiError(400, "PublicZoneVPCAssociation", "You're trying to associate a VPC with a public hosted zone.");
    const authorized = this.authorizations.has(`${zone.id}|${vpc.id}|${vpc.region}`) && Date.now() - (this.authorizedAt.get(`${zone.id}|${vpc.id}|${vpc.region}`) ?? 0) >= this.authorizationDelayMs;
    if (zone.owner !== account && !authorized) {
      throw new ApiError(401, "NotAuthorizedException", `The VPC: ${vpc.id} is not authorized to associate with hosted zone ${zone.id}.`);
    }
    for (const other of this.zones.values()) {
      if (other.name === zone.name && other.vpcs.some((v) => v.id === vpc.id)) {
        throw new ApiError(
          400,
          "ConflictingDomainExists",
          other.id === zone.id
            ? `The VPC ${vpc.id} in ${vpc.region} region has already been associated with the hosted zone ${zone.id} with the same domain name.`
            : `The VPC ${vpc.id} in ${vpc.region} region has already been associated with the hosted zone ${other.id} with the same domain name.`,
        );
      }
    }
    zone.vpcs.push({ ...vpc });
    return `<AssociateVPCWithHostedZoneResponse xmlns="${NS}">${this.newChange(account)}</AssociateVPCWithHostedZoneResponse>`;
  }

  private disassociate(account: string, id: string, vpc: { id: string; region: string }): string {
    this.checkVpc(vpc);
    const zone = this.zones.get(bare(id));
    const owned = this.vpcs.get(vpc.id);
    const mayAct = zone && (zone.owner === account || (owned?.owner === account && owned.region === vpc.region));
    if (!zone || !mayAct) throw new ApiError(404, "NoSuchHostedZone", `No hosted zone found with ID: ${bare(id)}`);
    const index = zone.vpcs.findIndex((v) => v.id === vpc.id && v.region === vpc.region);
    if (index < 0) throw new ApiError(404, "VPCAssociationNotFound", `The specified VPC ${vpc.id} is not associated with the hosted zone ${zone.id}`);
    if (zone.vpcs.length === 1) throw new ApiError(400, "LastVPCAssociation", "The VPC that you're trying to disassociate from the private hosted zone is the last VPC that is associated with the hosted zone.");
    zone.vpcs.splice(index, 1);
    return `<DisassociateVPCFromHostedZoneResponse xmlns="${NS}">${this.newChange(account)}</DisassociateVPCFromHostedZoneResponse>`;
  }

  private getChange(account: string, id: string): string {
    const change = this.changes.get(bare(id));
    if (!change || change.account !== account) throw new ApiError(404, "NoSuchChange", `A change with the specified change ID does not exist: ${bare(id)}`);
    change.polls++;
    const status = change.polls > this.pendingPolls ? "INSYNC" : "PENDING";
    return `<GetChangeResponse xmlns="${NS}">${tag("ChangeInfo", tag("Id", `/change/${bare(id)}`) + tag("Status", status) + tag("SubmittedAt", new Date().toISOString()))}</GetChangeResponse>`;
  }

  private zonesByVpc(account: string, vpcId: string, region: string): string {
    const owned = this.vpcs.get(vpcId);
    if (!owned || owned.owner !== account) throw new ApiError(400, "InvalidVPCId", "not authorized to access this VPC");
    const summaries = [...this.zones.values()]
      .filter((z) => z.vpcs.some((v) => v.id === vpcId && v.region === region))
      .map((z) => tag("HostedZoneSummary", tag("HostedZoneId", z.id) + tag("Name", z.name) + tag("Owner", tag("OwningAccount", z.owner))));
    return `<ListHostedZonesByVPCResponse xmlns="${NS}">${tag("HostedZoneSummaries", summaries.join(""))}<MaxItems>100</MaxItems></ListHostedZonesByVPCResponse>`;
  }
}
