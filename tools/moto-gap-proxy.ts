/**
 * A small HTTP proxy in front of moto that fills, openly, the gaps of moto 5.2 this product runs into.
 * Everything else is forwarded untouched. What it adds (each answered from the AWS API references):
 *
 * - Route 53 CreateHostedZone: AWS makes a zone private when the request names a VPC; moto only when
 *   HostedZoneConfig.PrivateZone is set (and otherwise drops the VPC). The proxy sets the flag.
 * - Route 53 VPC association authorizations (Create/Delete/List), which moto lacks: kept here, managed
 *   only by the zone owner.
 * - Cross-account AssociateVPCWithHostedZone / DisassociateVPCFromHostedZone: moto keeps each account's
 *   zones apart. The proxy checks the authorization (associate) or the caller's ownership of the VPC,
 *   then performs the call in moto as the zone's owner.
 * - ListHostedZonesByVPC: AWS lists every zone the VPC is associated with, whoever owns it; moto only the
 *   caller's. The proxy checks the caller owns the VPC, then asks moto as every account it knows.
 * - AssociateVPCWithHostedZone for a VPC the zone already has: AWS answers ConflictingDomainExists; moto
 *   accepts it again. The proxy answers as AWS does.
 * - GetAccountLimit (MAX_HOSTED_ZONES_BY_OWNER) and GetHostedZoneLimit (MAX_VPCS_ASSOCIATED_BY_ZONE),
 *   which moto lacks: counted from moto's zones, limits from `limits` (AWS's defaults unless a test sets others).
 * - EC2 AcceptVpcEndpointConnections / RejectVpcEndpointConnections / DescribeVpcEndpointConnections,
 *   which moto lacks: connections are kept here, accepted only by the service's owner.
 * - EC2 interface endpoints' ServiceRegion (cross-region PrivateLink), which moto ignores: recorded at
 *   creation and added to CreateVpcEndpoint / DescribeVpcEndpoints answers.
 * - ELBv2 EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic, which moto ignores: AWS has it "on" for a
 *   network load balancer created with security groups, and SetSecurityGroups changes it. Recorded and added
 *   to CreateLoadBalancer / DescribeLoadBalancers answers.
 *
 * - Route 53 record names with a leading `*`: AWS keeps them as `\052` and finds them by either spelling;
 *   moto keeps the spelling it was given and the provider looks wildcard records up as `\052`. The proxy
 *   writes `\052` in ChangeResourceRecordSets and ListResourceRecordSets, as AWS stores it.
 * - Route 53 Profiles and AWS RAM (moto has no route53profiles, and its RAM lacks resource/principal
 *   associations and invitations): answered by tools/profiles-ram-emulator.ts.
 *
 * Accounts are told apart by access key, as moto does; keys issued by AssumeRole are learned on the way
 * through, others resolved with GetCallerIdentity. Every intervention is logged in `handled`.
 */
import * as http from "http";
import { AddressInfo, Socket } from "net";
import { randomBytes } from "crypto";
import { roleArnAccount } from "../aws/patterns";
import { ProfilesAndRam } from "./profiles-ram-emulator";

const R53 = "https://route53.amazonaws.com/doc/2013-04-01/";
const EC2 = "http://ec2.amazonaws.com/doc/2016-11-15/";

interface Upstream {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Connection {
  serviceId: string;
  endpointId: string;
  endpointOwner: string;
  state: "pendingAcceptance" | "available" | "rejected";
  created: string;
}

export interface HandledCall {
  readonly operation: string;
  readonly account?: string;
  readonly outcome: string;
}

const tagValue = (xml: string, tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export class MotoGapProxy {
  private server?: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly keys = new Map<string, string>();
  private readonly accountKeys = new Map<string, string>();
  private readonly zoneOwners = new Map<string, string>();
  private readonly authorizations = new Set<string>();
  private readonly connections = new Map<string, Connection>();
  /** ELBv2 load balancers created with security groups: their PrivateLink enforcement flag. */
  private readonly privateLinkEnforcement = new Map<string, string>();
  private readonly endpointRegions = new Map<string, string>();
  readonly handled: HandledCall[] = [];
  /** Roles whose AssumeRole is refused (moto assumes any role; a test makes one unusable). */
  readonly refusedRoles = new Set<string>();
  /** Limits GetAccountLimit and GetHostedZoneLimit report (AWS's defaults). */
  readonly limits = { hostedZonesPerAccount: 500, vpcsPerHostedZone: 300 };
  url = "";

  /** Route 53 Profiles and RAM, answered here. */
  readonly profiles = new ProfilesAndRam({
    zoneOwner: (zoneId) => this.zoneOwner(zoneId),
    ownsVpc: async (account, vpcId, region) => this.ownsVpc(await this.keyFor(account), vpcId, region),
    log: (operation, account, outcome) => this.handled.push({ operation, account, outcome }),
  });

  constructor(private readonly upstream: string) {}

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(`moto-gap-proxy: ${(error as Error).stack}`);
      });
    });
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Authorizations still standing, as "zone|vpc|region". */
  authorizationsLeft(): string[] {
    return [...this.authorizations];
  }

  /** Endpoint connections known to the proxy, as "service|endpoint|state". */
  connectionStates(): string[] {
    return [...this.connections.values()].map((c) => `${c.serviceId}|${c.endpointId}|${c.state}`);
  }

  // ---------------------------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await new Promise<string>((resolve) => {
      let data = "";
      req.on("data", (c) => (data += c));
      req.on("end", () => resolve(data));
    });
    const method = req.method ?? "GET";
    const url = req.url ?? "/";
    const path = url.split("?")[0];
    const key = /Credential=([^/]+)\//.exec(req.headers.authorization ?? "")?.[1];
    const form = method === "POST" && path === "/" ? new URLSearchParams(body) : undefined;
    const action = form?.get("Action") ?? undefined;

    const reply = (status: number, xml: string) => {
      res.writeHead(status, { "content-type": "text/xml", "x-amzn-requestid": randomBytes(8).toString("hex") });
      res.end(xml);
    };
    const passThrough = async (overrides: { body?: string; asKey?: string } = {}) => {
      const up = await this.forward(method, url, req.headers, overrides.body ?? body, overrides.asKey);
      res.writeHead(up.status, stripLength(up.headers));
      res.end(up.body);
      return up;
    };

    // Route 53 Profiles and RAM: answered by the emulator, as the signing account.
    const service = /Credential=[^/]+\/[0-9]+\/[^/]+\/([^/]+)\//.exec(req.headers.authorization ?? "")?.[1];
    if ((service === "route53profiles" || service === "ram") && key) {
      const answer = await this.profiles.answer({ service, region: credentialRegion(req), account: await this.accountOf(key), method, path, query: new URLSearchParams(url.split("?")[1] ?? ""), body });
      res.writeHead(answer.status, { "content-type": "application/json", "x-amzn-requestid": randomBytes(8).toString("hex"), ...(answer.errorType ? { "x-amzn-errortype": answer.errorType } : {}) });
      return void res.end(answer.body);
    }

    // STS: learn which account each assumed-role key belongs to.
    if (action === "AssumeRole" && this.refusedRoles.has(form!.get("RoleArn") ?? "")) {
      this.handled.push({ operation: "AssumeRole", outcome: `refused ${form!.get("RoleArn")}` });
      res.writeHead(403, { "content-type": "text/xml" });
      return void res.end(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole on resource: ${esc(form!.get("RoleArn") ?? "")}</Message></Error><RequestId>r</RequestId></ErrorResponse>`);
    }
    if (action === "AssumeRole") {
      const up = await passThrough();
      const account = roleArnAccount(form!.get("RoleArn") ?? undefined);
      const issued = tagValue(up.body, "AccessKeyId");
      if (up.status === 200 && account && issued) this.remember(issued, account);
      return;
    }

    // Route 53
    let m: RegExpExecArray | null;
    if (/^\/2013-04-01\/hostedzone\/[^/]+\/rrset\/?$/.test(path)) {
      if (method === "POST" && /<Name>\*\./.test(body)) {
        this.handled.push({ operation: "ChangeResourceRecordSets", outcome: "wildcard name written as \\052" });
        return void (await passThrough({ body: body.replace(/<Name>\*\./g, () => "<Name>\\052.") }));
      }
      if (method === "GET" && /[?&]name=(\*|%2A)\./i.test(url)) {
        const up = await this.forward(method, url.replace(/([?&]name=)(\*|%2A)\./i, (_, p: string) => `${p}%5C052.`), req.headers, body);
        res.writeHead(up.status, stripLength(up.headers));
        return void res.end(up.body);
      }
    }
    if (method === "POST" && path === "/2013-04-01/hostedzone") {
      let rewritten = body;
      if (/<VPC>/.test(body) && !/<PrivateZone>true<\/PrivateZone>/.test(body)) {
        rewritten = /<HostedZoneConfig>/.test(body)
          ? body.replace("<HostedZoneConfig>", "<HostedZoneConfig><PrivateZone>true</PrivateZone>")
          : body.replace(/<\/CreateHostedZoneRequest>/, "<HostedZoneConfig><PrivateZone>true</PrivateZone></HostedZoneConfig></CreateHostedZoneRequest>");
        this.handled.push({ operation: "CreateHostedZone", account: key && (await this.accountOf(key)), outcome: "made private (a VPC was given)" });
      }
      const up = await passThrough({ body: rewritten });
      const zoneId = tagValue(up.body, "Id")?.replace("/hostedzone/", "");
      if (up.status < 300 && zoneId && key) this.zoneOwners.set(zoneId, await this.accountOf(key));
      return;
    }
    if ((m = /^\/2013-04-01\/hostedzone\/([^/]+)\/(authorizevpcassociation|deauthorizevpcassociation|associatevpc|disassociatevpc)$/.exec(path)) && key) {
      const zoneId = m[1].replace("/hostedzone/", "");
      const caller = await this.accountOf(key);
      const owner = await this.zoneOwner(zoneId);
      const vpc = { id: tagValue(body, "VPCId") ?? "", region: tagValue(body, "VPCRegion") ?? "" };
      const authKey = `${zoneId}|${vpc.id}|${vpc.region}`;
      const vpcXml = `<VPC><VPCRegion>${esc(vpc.region)}</VPCRegion><VPCId>${esc(vpc.id)}</VPCId></VPC>`;
      const operation = { authorizevpcassociation: "VPCAssociationAuthorization", deauthorizevpcassociation: "DeleteVPCAssociationAuthorization", associatevpc: "AssociateVPCWithHostedZone", disassociatevpc: "DisassociateVPCFromHostedZone" }[m[2]]!;
      const log = (outcome: string) => this.handled.push({ operation: method === "GET" ? "ListVPCAssociationAuthorizations" : operation, account: caller, outcome });
      if (m[2] === "authorizevpcassociation" || m[2] === "deauthorizevpcassociation") {
        if (owner !== caller) {
          log("refused: not the zone owner");
          return reply(404, route53Error("NoSuchHostedZone", `No hosted zone found with ID: ${zoneId}`));
        }
        if (method === "GET") {
          const vpcs = [...this.authorizations].filter((a) => a.startsWith(`${zoneId}|`)).map((a) => {
            const [, id, region] = a.split("|");
            return `<VPC><VPCRegion>${region}</VPCRegion><VPCId>${id}</VPCId></VPC>`;
          });
          log(`listed ${vpcs.length}`);
          return reply(200, `<?xml version="1.0"?>\n<ListVPCAssociationAuthorizationsResponse xmlns="${R53}"><HostedZoneId>${zoneId}</HostedZoneId><VPCs>${vpcs.join("")}</VPCs></ListVPCAssociationAuthorizationsResponse>`);
        }
        if (m[2] === "authorizevpcassociation") {
          this.authorizations.add(authKey);
          log(`authorized ${vpc.id}`);
          return reply(200, `<?xml version="1.0"?>\n<CreateVPCAssociationAuthorizationResponse xmlns="${R53}"><HostedZoneId>${zoneId}</HostedZoneId>${vpcXml}</CreateVPCAssociationAuthorizationResponse>`);
        }
        if (!this.authorizations.delete(authKey)) {
          log("not found");
          return reply(404, route53Error("VPCAssociationAuthorizationNotFound", `The VPC ${vpc.id} is not authorized to be associated with ${zoneId}`));
        }
        log(`deauthorized ${vpc.id}`);
        return reply(200, `<?xml version="1.0"?>\n<DeleteVPCAssociationAuthorizationResponse xmlns="${R53}"/>`);
      }
      if (m[2] === "associatevpc" && owner !== undefined) {
        const zone = await this.call(await this.keyFor(owner), "route53", "us-east-1", "GET", `/2013-04-01/hostedzone/${zoneId}`);
        if (zone.body.includes(`<VPCId>${vpc.id}</VPCId>`)) {
          log("refused: already associated");
          return reply(400, route53Error("ConflictingDomainExists", `The VPC ${vpc.id} in ${vpc.region} region has already been associated with the hosted zone ${zoneId} with the same domain name.`));
        }
      }
      if (owner === undefined || owner === caller) return void (await passThrough());
      // Cross-account: the VPC owner acts on another account's zone.
      if (!(await this.ownsVpc(key, vpc.id, vpc.region))) {
        log(`refused: ${vpc.id} is not the caller's`);
        return reply(400, route53Error("InvalidVPCId", `The VPC ID '${vpc.id}' is not valid or the current account is not authorized to access this VPC.`));
      }
      if (m[2] === "associatevpc" && !this.authorizations.has(authKey)) {
        log("refused: no authorization");
        return reply(401, route53Error("NotAuthorizedException", `The VPC: ${vpc.id} is not authorized to associate with hosted zone ${zoneId}.`));
      }
      log(`performed as zone owner ${owner}`);
      await passThrough({ asKey: await this.keyFor(owner) });
      return;
    }

    if (method === "GET" && (m = /^\/2013-04-01\/accountlimit\/([A-Z_]+)$/.exec(path)) && key) {
      if (m[1] !== "MAX_HOSTED_ZONES_BY_OWNER") return reply(400, route53Error("InvalidInput", `limit type ${m[1]} is not emulated`));
      const zones = await this.call(key, "route53", "us-east-1", "GET", "/2013-04-01/hostedzone");
      const count = (zones.body.match(/<HostedZone>/g) ?? []).length;
      this.handled.push({ operation: "GetAccountLimit", account: await this.accountOf(key), outcome: `${count} of ${this.limits.hostedZonesPerAccount}` });
      return reply(200, `<?xml version="1.0"?>\n<GetAccountLimitResponse xmlns="${R53}"><Limit><Type>${m[1]}</Type><Value>${this.limits.hostedZonesPerAccount}</Value></Limit><Count>${count}</Count></GetAccountLimitResponse>`);
    }
    if (method === "GET" && (m = /^\/2013-04-01\/hostedzonelimit\/([^/]+)\/([A-Z_]+)$/.exec(path)) && key) {
      if (m[2] !== "MAX_VPCS_ASSOCIATED_BY_ZONE") return reply(400, route53Error("InvalidInput", `limit type ${m[2]} is not emulated`));
      const zone = await this.call(key, "route53", "us-east-1", "GET", `/2013-04-01/hostedzone/${m[1]}`);
      if (zone.status !== 200) return reply(404, route53Error("NoSuchHostedZone", `No hosted zone found with ID: ${m[1]}`));
      const count = (zone.body.match(/<VPC>/g) ?? []).length;
      this.handled.push({ operation: "GetHostedZoneLimit", account: await this.accountOf(key), outcome: `${count} of ${this.limits.vpcsPerHostedZone}` });
      return reply(200, `<?xml version="1.0"?>\n<GetHostedZoneLimitResponse xmlns="${R53}"><Limit><Type>${m[2]}</Type><Value>${this.limits.vpcsPerHostedZone}</Value></Limit><Count>${count}</Count></GetHostedZoneLimitResponse>`);
    }
    if (method === "GET" && path === "/2013-04-01/hostedzonesbyvpc" && key) {
      const query = new URL(url, "http://proxy").searchParams;
      const vpcId = query.get("vpcid") ?? "";
      const region = query.get("vpcregion") ?? "";
      const caller = await this.accountOf(key);
      if (!(await this.ownsVpc(key, vpcId, region))) {
        this.handled.push({ operation: "ListHostedZonesByVPC", account: caller, outcome: `refused: ${vpcId} is not the caller's` });
        return reply(400, route53Error("InvalidVPCId", `The VPC ID '${vpcId}' is not valid or the current account is not authorized to access this VPC.`));
      }
      const summaries = new Map<string, string>();
      for (const accountKey of [key, ...this.accountKeys.values()]) {
        const up = await this.call(accountKey, "route53", "us-east-1", "GET", url);
        for (const [, summary, id] of up.body.matchAll(/(<HostedZoneSummary>(?:(?!<\/HostedZoneSummary>)[\s\S])*?<HostedZoneId>([^<]+)<\/HostedZoneId>[\s\S]*?<\/HostedZoneSummary>)/g)) {
          if (!summaries.has(id)) summaries.set(id, summary);
        }
      }
      this.handled.push({ operation: "ListHostedZonesByVPC", account: caller, outcome: `${summaries.size} zones across accounts` });
      return reply(200, `<?xml version="1.0"?>\n<ListHostedZonesByVPCResponse xmlns="${R53}"><HostedZoneSummaries>${[...summaries.values()].join("")}</HostedZoneSummaries><MaxItems>100</MaxItems></ListHostedZonesByVPCResponse>`);
    }

    // EC2
    if (action === "AcceptVpcEndpointConnections" || action === "RejectVpcEndpointConnections") {
      const caller = key ? await this.accountOf(key) : undefined;
      const serviceId = form!.get("ServiceId") ?? "";
      const endpoints = [...form!.entries()].filter(([k]) => /^VpcEndpointId\.\d+$/.test(k)).map(([, v]) => v);
      if (!key || !(await this.ownsService(key, serviceId, credentialRegion(req)))) {
        this.handled.push({ operation: action, account: caller, outcome: "refused: not the service owner" });
        return reply(400, ec2Error("InvalidVpcEndpointServiceId.NotFound", `The VpcEndpointService Id '${serviceId}' does not exist`));
      }
      for (const endpointId of endpoints) {
        const id = `${serviceId}|${endpointId}`;
        const existing = this.connections.get(id);
        this.connections.set(id, {
          serviceId,
          endpointId,
          endpointOwner: existing?.endpointOwner ?? "",
          created: existing?.created ?? new Date().toISOString(),
          state: action === "AcceptVpcEndpointConnections" ? "available" : "rejected",
        });
      }
      this.handled.push({ operation: action, account: caller, outcome: `${endpoints.join(",")} ${action.startsWith("Accept") ? "accepted" : "rejected"}` });
      const tag = action === "AcceptVpcEndpointConnections" ? "AcceptVpcEndpointConnectionsResponse" : "RejectVpcEndpointConnectionsResponse";
      return reply(200, `<?xml version="1.0" encoding="UTF-8"?>\n<${tag} xmlns="${EC2}"><requestId>${randomBytes(8).toString("hex")}</requestId><unsuccessful/></${tag}>`);
    }
    if (action === "DescribeVpcEndpointConnections") {
      const filters = ec2Filters(form!);
      const items = [...this.connections.values()]
        .filter((c) => (!filters["service-id"] || filters["service-id"].includes(c.serviceId)) && (!filters["vpc-endpoint-id"] || filters["vpc-endpoint-id"].includes(c.endpointId)))
        .map(
          (c) =>
            `<item><serviceId>${c.serviceId}</serviceId><vpcEndpointId>${c.endpointId}</vpcEndpointId><vpcEndpointOwner>${c.endpointOwner}</vpcEndpointOwner><vpcEndpointState>${c.state}</vpcEndpointState><creationTimestamp>${c.created}</creationTimestamp></item>`,
        );
      return reply(200, `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeVpcEndpointConnectionsResponse xmlns="${EC2}"><requestId>${randomBytes(8).toString("hex")}</requestId><vpcEndpointConnectionSet>${items.join("")}</vpcEndpointConnectionSet></DescribeVpcEndpointConnectionsResponse>`);
    }
    if (action === "CreateVpcEndpoint") {
      const serviceRegion = form!.get("ServiceRegion") ?? undefined;
      const up = await this.forward(method, url, req.headers, body);
      const endpointId = tagValue(up.body, "vpcEndpointId");
      let responseBody = up.body;
      if (up.status === 200 && endpointId) {
        if (serviceRegion) {
          this.endpointRegions.set(endpointId, serviceRegion);
          this.handled.push({ operation: action, account: key && (await this.accountOf(key)), outcome: `${endpointId} service region ${serviceRegion}` });
        }
        // A connection request reaches the service; it waits for the owner when acceptance is required.
        const serviceName = form!.get("ServiceName") ?? "";
        const serviceId = /\.(vpce-svc-[0-9a-f]+)$/.exec(serviceName)?.[1];
        if (serviceId) {
          this.connections.set(`${serviceId}|${endpointId}`, {
            serviceId,
            endpointId,
            endpointOwner: key ? await this.accountOf(key) : "",
            state: "pendingAcceptance",
            created: new Date().toISOString(),
          });
        }
        responseBody = this.withServiceRegions(responseBody);
      }
      res.writeHead(up.status, stripLength(up.headers));
      res.end(responseBody);
      return;
    }
    // ELBv2 (API version 2015-12-01; classic ELB shares the action names, not the version).
    if (form?.get("Version") === "2015-12-01" && (action === "CreateLoadBalancer" || action === "SetSecurityGroups" || action === "DescribeLoadBalancers")) {
      const up = await this.forward(method, url, req.headers, body);
      if (up.status === 200) {
        const withGroups = [...form.keys()].some((k) => /^SecurityGroups\.member\.\d+$/.test(k));
        const created = action === "CreateLoadBalancer" ? tagValue(up.body, "LoadBalancerArn") : undefined;
        if (created && form.get("Type") === "network" && withGroups) this.privateLinkEnforcement.set(created, "on");
        const target = form.get("LoadBalancerArn");
        const flag = form.get("EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic");
        if (action === "SetSecurityGroups" && target && (flag || this.privateLinkEnforcement.has(target))) {
          this.privateLinkEnforcement.set(target, flag ?? this.privateLinkEnforcement.get(target)!);
          this.handled.push({ operation: action, account: key && (await this.accountOf(key)), outcome: `${target} PrivateLink enforcement ${this.privateLinkEnforcement.get(target)}` });
        }
      }
      const answer =
        up.status === 200 && action !== "SetSecurityGroups"
          ? up.body.replace(/<LoadBalancerArn>([^<]+)<\/LoadBalancerArn>/g, (whole, arn: string) => {
              const value = this.privateLinkEnforcement.get(arn);
              return value ? `${whole}<EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic>${value}</EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic>` : whole;
            })
          : up.body;
      res.writeHead(up.status, stripLength(up.headers));
      res.end(answer);
      return;
    }
    if (action === "DescribeVpcEndpoints" && this.endpointRegions.size > 0) {
      const up = await this.forward(method, url, req.headers, body);
      res.writeHead(up.status, stripLength(up.headers));
      res.end(up.status === 200 ? this.withServiceRegions(up.body) : up.body);
      return;
    }
    await passThrough();
  }

  /** Adds <serviceRegion> to each endpoint the proxy saw created with one. */
  private withServiceRegions(xml: string): string {
    return xml.replace(/<vpcEndpointId>(vpce-[0-9a-f]+)<\/vpcEndpointId>/g, (whole, id: string) => {
      const region = this.endpointRegions.get(id);
      return region ? `${whole}<serviceRegion>${region}</serviceRegion>` : whole;
    });
  }

  private forward(method: string, url: string, headers: http.IncomingHttpHeaders, body: string, asKey?: string): Promise<Upstream> {
    const target = new URL(url, this.upstream);
    const outgoing: http.OutgoingHttpHeaders = { ...headers, host: target.host, "content-length": Buffer.byteLength(body) };
    delete outgoing["transfer-encoding"];
    if (asKey && typeof outgoing.authorization === "string") {
      outgoing.authorization = outgoing.authorization.replace(/Credential=[^/]+\//, `Credential=${asKey}/`);
      delete outgoing["x-amz-security-token"];
    }
    return new Promise((resolve, reject) => {
      const request = http.request(target, { method, headers: outgoing }, (response) => {
        let data = "";
        response.setEncoding("utf8");
        response.on("data", (c) => (data += c));
        response.on("end", () => resolve({ status: response.statusCode ?? 500, headers: response.headers, body: data }));
      });
      request.on("error", reject);
      request.end(body);
    });
  }

  /** A request to moto signed (in name only: moto does not check signatures) with `key`. */
  private call(key: string, service: string, region: string, method: string, path: string, body = ""): Promise<Upstream> {
    const authorization = `AWS4-HMAC-SHA256 Credential=${key}/20250101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`;
    // A GET with a form content type makes moto's REST handlers (Route 53) fail with a 500.
    const headers: http.IncomingHttpHeaders = body === "" ? { authorization } : { authorization, "content-type": "application/x-www-form-urlencoded; charset=utf-8" };
    return this.forward(method, path, headers, body);
  }

  private remember(key: string, account: string): void {
    this.keys.set(key, account);
    if (!this.accountKeys.has(account)) this.accountKeys.set(account, key);
  }

  private async accountOf(key: string): Promise<string> {
    const known = this.keys.get(key);
    if (known) return known;
    const up = await this.call(key, "sts", "us-east-1", "POST", "/", "Action=GetCallerIdentity&Version=2011-06-15");
    const account = tagValue(up.body, "Account") ?? "unknown";
    this.remember(key, account);
    return account;
  }

  private async keyFor(account: string): Promise<string> {
    const known = this.accountKeys.get(account);
    if (known) return known;
    const body = `Action=AssumeRole&Version=2011-06-15&RoleSessionName=moto-gap-proxy&RoleArn=${encodeURIComponent(`arn:aws:iam::${account}:role/moto-gap-proxy`)}`;
    const up = await this.call("moto-gap-proxy", "sts", "us-east-1", "POST", "/", body);
    const key = tagValue(up.body, "AccessKeyId");
    if (!key) throw new Error(`cannot act as account ${account}: ${up.body}`);
    this.remember(key, account);
    return key;
  }

  /** Owner of a zone: recorded at creation, else found by asking each known account. */
  private async zoneOwner(zoneId: string): Promise<string | undefined> {
    if (this.zoneOwners.has(zoneId)) return this.zoneOwners.get(zoneId);
    for (const [account, key] of this.accountKeys) {
      const up = await this.call(key, "route53", "us-east-1", "GET", `/2013-04-01/hostedzone/${zoneId}`);
      if (up.status === 200) {
        this.zoneOwners.set(zoneId, account);
        return account;
      }
    }
    return undefined;
  }

  private async ownsVpc(key: string, vpcId: string, region: string): Promise<boolean> {
    const up = await this.call(key, "ec2", region, "POST", "/", `Action=DescribeVpcs&Version=2016-11-15&VpcId.1=${encodeURIComponent(vpcId)}`);
    return up.status === 200 && up.body.includes(`<vpcId>${vpcId}</vpcId>`);
  }

  private async ownsService(key: string, serviceId: string, region: string): Promise<boolean> {
    const up = await this.call(key, "ec2", region, "POST", "/", `Action=DescribeVpcEndpointServiceConfigurations&Version=2016-11-15&ServiceId.1=${encodeURIComponent(serviceId)}`);
    return up.status === 200 && up.body.includes(serviceId);
  }
}

function credentialRegion(req: http.IncomingMessage): string {
  return /Credential=[^/]+\/[0-9]+\/([^/]+)\//.exec(req.headers.authorization ?? "")?.[1] ?? "us-east-1";
}

function ec2Filters(form: URLSearchParams): Record<string, string[]> {
  const filters: Record<string, string[]> = {};
  for (const [k, v] of form.entries()) {
    const name = /^Filter\.(\d+)\.Name$/.exec(k);
    if (name) {
      filters[v] = [...form.entries()].filter(([kk]) => kk.startsWith(`Filter.${name[1]}.Value.`)).map(([, vv]) => vv);
    }
  }
  return filters;
}

function stripLength(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const { ["content-length"]: _length, ["transfer-encoding"]: _encoding, connection: _connection, ...rest } = headers;
  return rest;
}

function route53Error(code: string, message: string): string {
  return `<?xml version="1.0"?>\n<ErrorResponse xmlns="${R53}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${esc(message)}</Message></Error><RequestId>${randomBytes(8).toString("hex")}</RequestId></ErrorResponse>`;
}

function ec2Error(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${esc(message)}</Message></Error></Errors><RequestID>${randomBytes(8).toString("hex")}</RequestID></Response>`;
}
