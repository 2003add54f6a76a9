/**
 * Cross-field validation rules. They run on the raw document even when the structural check
 * (the schema) failed, so every rule reads its input defensively and skips what it cannot read:
 * the user gets every problem of the file in one run.
 */
import { Cidr, cidrOrUndefined, contains, containsAddress, isAwsReservedAddress, overlaps, parseCidr, parseIpv4 } from "../aws/cidr";
import { partitionOf } from "../aws/partitions";
import { ACCOUNT_ID, iamArnPartition, REGION, roleArnAccount, TEMPLATE_SEQUENCE } from "../aws/patterns";
import { formatPath, Problem } from "./problems";
import { recordLogicalName } from "../aws/names";
import { KNOWN_REGIONS } from "../aws/regions";
import { closest } from "./suggest";
import {
  GATEWAY_CAPABLE_SERVICES,
  SERVICE_CATALOG,
  invalidDnsName,
  isKnownService,
  knownServices,
  parseServiceName,
  planServiceDns,
} from "../aws/service-catalog";

type Path = Array<string | number>;
type Raw = Record<string, unknown>;

export class ProblemList {
  readonly problems: Problem[] = [];
  add(path: Path, message: string, fix?: string): void {
    this.problems.push({ path: [...path], message, fix });
  }
}

function isObject(value: unknown): value is Raw {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
export function entriesOf(value: unknown): Array<[string, Raw]> {
  return isObject(value) ? (Object.entries(value).filter(([, v]) => isObject(v)) as Array<[string, Raw]>) : [];
}
export function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Names declared in a section, for reference checks. */
function declared(doc: Raw, section: string): Map<string, Raw> {
  return new Map(entriesOf(doc[section]));
}

export function checkReference(
  out: ProblemList,
  path: Path,
  value: unknown,
  names: Map<string, unknown>,
  kind: string,
  section: string,
): boolean {
  const name = str(value);
  if (name === undefined) return false;
  if (names.has(name)) return true;
  const suggestion = closest(name, names.keys());
  out.add(
    path,
    `refers to ${kind} "${name}", which is not declared under ${section}`,
    suggestion ? `did you mean "${suggestion}"?` : `declare it under ${section} or fix the name`,
  );
  return false;
}

/** A VPC entry with its parsed CIDR and subnets, for rules that compare VPCs. */
export interface RawVpc {
  readonly name: string;
  readonly region?: string;
  readonly account?: string;
  readonly cidr?: Cidr;
  readonly subnets: Map<string, { az?: string; cidr?: Cidr; index: number }>;
}

export function rawVpcs(doc: Raw): Map<string, RawVpc> {
  const vpcs = new Map<string, RawVpc>();
  for (const [name, vpc] of entriesOf(doc.vpcs)) {
    const subnets = new Map<string, { az?: string; cidr?: Cidr; index: number }>();
    listOf(vpc.subnets).forEach((subnet, index) => {
      if (isObject(subnet) && str(subnet.id)) {
        subnets.set(subnet.id as string, { az: str(subnet.az), cidr: cidrOrUndefined(subnet.cidr), index });
      }
    });
    vpcs.set(name, {
      name,
      region: str(vpc.region),
      account: str(vpc.account),
      cidr: cidrOrUndefined(vpc.cidr),
      subnets,
    });
  }
  return vpcs;
}

/** The only declared hub, when a spoke or on-prem network does not name one. */
export function defaultHub(doc: Raw): string | undefined {
  const hubs = entriesOf(doc.hubs);
  return hubs.length === 1 ? hubs[0][0] : undefined;
}

/** Resolves `hub:` of a spoke or on-prem entry, reporting a missing or ambiguous one. */
export function resolveHubRef(out: ProblemList, doc: Raw, path: Path, value: unknown, what: string): string | undefined {
  const hubs = declared(doc, "hubs");
  if (value === undefined) {
    if (hubs.size === 1) return defaultHub(doc);
    out.add(
      [...path, "hub"],
      hubs.size === 0 ? `declares ${what}, but the topology has no hub` : `must name its hub: the topology has ${hubs.size} hubs`,
      hubs.size === 0 ? "declare a hub under hubs" : `set hub: to one of ${[...hubs.keys()].join(", ")}`,
    );
    return undefined;
  }
  return checkReference(out, [...path, "hub"], value, hubs, "hub", "hubs") ? (value as string) : undefined;
}

/** Rejects 0.0.0.0/0 and other over-broad ingress sources: secure by default. */
export function checkClientCidr(out: ProblemList, path: Path, value: unknown): Cidr | undefined {
  const cidr = cidrOrUndefined(value);
  if (cidr && cidr.prefix < 8) {
    out.add(
      path,
      `${cidr.text} would open the port to (almost) the whole internet address space`,
      "list the client networks precisely (a /8 is the widest block accepted)",
    );
    return undefined;
  }
  return cidr;
}

function checkCidrSyntax(out: ProblemList, path: Path, value: unknown): void {
  if (typeof value !== "string") return;
  const parsed = parseCidr(value);
  if (!parsed.ok && parsed.suggestion) {
    out.add(path, `${value} ${parsed.reason}`, `write ${parsed.suggestion}`);
  }
}

/**
 * Nothing a user writes may be evaluated by Terraform: a `${` or `%{` anywhere in the document (a value or
 * a key, any field, including fields added later) is a problem at its exact path. One walk over the
 * whole document, so no field can bypass it.
 */
export function checkTemplateSequences(value: unknown, out: ProblemList, path: Path = []): void {
  const problem = (at: Path, text: string, what: string) =>
    out.add(
      at,
      `${what} ${JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text)} holds a Terraform template sequence ("\${" or "%{"): Terraform would evaluate it in the synthesized configuration`,
      "remove it: no topology field takes a Terraform expression or directive",
    );
  if (typeof value === "string") {
    if (TEMPLATE_SEQUENCE.test(value)) problem(path, value, "the value");
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => checkTemplateSequences(item, out, [...path, index]));
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (TEMPLATE_SEQUENCE.test(key)) problem([...path, key], key, "the key");
      checkTemplateSequences(item, out, [...path, key]);
    }
  }
}

/** Default tags this tool sets itself; a topology may not override them (they identify what it manages). */
export const RESERVED_TAG_KEYS = ["managed-by", "privatelink-cdktf:topology", "privatelink-cdktf:stack"];

function checkTags(doc: Raw, out: ProblemList): void {
  if (!isObject(doc.tags)) return;
  for (const key of Object.keys(doc.tags)) {
    if (RESERVED_TAG_KEYS.includes(key) || key.startsWith("privatelink-cdktf:")) {
      out.add(["tags", key], `is a default tag of this tool (managed-by = privatelink-cdktf, privatelink-cdktf:topology, privatelink-cdktf:stack), which identifies what it manages`, "use another key");
    }
  }
}

/** An AWS service name the catalog does not know: usually a typo; a newer service needs `unlisted: true`. */
export function unknownServiceProblem(out: ProblemList, path: Path, short: string, entryIsString: boolean): void {
  const suggestion = closest(short, knownServices());
  out.add(
    path,
    `"${short}" is not an AWS interface endpoint service this release knows`,
    `${suggestion ? `did you mean "${suggestion}"? ` : ""}If AWS added it after this release, declare it explicitly: ${entryIsString ? `{ name: ${short}, unlisted: true }` : "unlisted: true"}`,
  );
}

function checkAccounts(doc: Raw, out: ProblemList): void {
  const byId = new Map<string, string>();
  for (const [name, account] of entriesOf(doc.accounts)) {
    const id = str(account.id);
    const arn = str(account.deployRoleArn);
    if (id && ACCOUNT_ID.test(id)) {
      const other = byId.get(id);
      if (other) {
        out.add(["accounts", name, "id"], `duplicates the id of account "${other}"`, "declare each AWS account once and refer to it by name");
      }
      byId.set(id, name);
      const arnAccount = roleArnAccount(arn);
      if (arnAccount && arnAccount !== id) {
        out.add(
          ["accounts", name, "deployRoleArn"],
          `is a role in account ${arnAccount}, but this account is ${id}`,
          `use a role of account ${id}, e.g. arn:aws:iam::${id}:role/<name>`,
        );
      }
    }
  }
}

function checkVpcs(doc: Raw, out: ProblemList): void {
  const accounts = declared(doc, "accounts");
  const vpcIds = new Map<string, string>();
  const subnetIds = new Map<string, string>();
  for (const [name, vpc] of entriesOf(doc.vpcs)) {
    const base: Path = ["vpcs", name];
    checkReference(out, [...base, "account"], vpc.account, accounts, "account", "accounts");
    const region = str(vpc.region);
    if (region && REGION.test(region) && !KNOWN_REGIONS.has(region)) {
      const suggestion = closest(region, KNOWN_REGIONS);
      out.add([...base, "region"], `"${region}" is not an AWS region`, suggestion ? `did you mean "${suggestion}"?` : "use a region code such as ap-northeast-1");
    }
    const account = accounts.get(str(vpc.account) ?? "");
    const arn = str(account?.deployRoleArn);
    const arnPartition = iamArnPartition(arn);
    if (region && arnPartition && KNOWN_REGIONS.has(region) && partitionOf(region) !== arnPartition) {
      out.add(
        [...base, "region"],
        `is in partition ${partitionOf(region)}, but account "${vpc.account}" deploys with a role of partition ${arnPartition}`,
        "use an account of the same partition (aws, aws-cn, aws-us-gov) for this VPC",
      );
    }
    const vpcId = str(vpc.vpcId);
    if (vpcId) {
      const other = vpcIds.get(vpcId);
      if (other) out.add([...base, "vpcId"], `${vpcId} is already declared as VPC "${other}"`, "declare each VPC once and refer to it by name");
      vpcIds.set(vpcId, name);
    }
    checkCidrSyntax(out, [...base, "cidr"], vpc.cidr);
    const vpcCidr = cidrOrUndefined(vpc.cidr);
    const seen: Array<{ cidr: Cidr; index: number }> = [];
    listOf(vpc.subnets).forEach((subnet, index) => {
      if (!isObject(subnet)) return;
      const path: Path = [...base, "subnets", index];
      const id = str(subnet.id);
      if (id) {
        const other = subnetIds.get(id);
        if (other) out.add([...path, "id"], `${id} is already declared in ${other}`, "a subnet belongs to one VPC; remove the duplicate");
        subnetIds.set(id, `vpcs.${name}.subnets[${index}]`);
      }
      const az = str(subnet.az);
      if (az && region && KNOWN_REGIONS.has(region) && !(az.startsWith(region) && /^[a-z]$/.test(az.slice(region.length)))) {
        out.add([...path, "az"], `${az} is not an availability zone of ${region}`, `use a zone of the VPC's region, e.g. ${region}a`);
      }
      checkCidrSyntax(out, [...path, "cidr"], subnet.cidr);
      const cidr = cidrOrUndefined(subnet.cidr);
      if (cidr && vpcCidr && !contains(vpcCidr, cidr)) {
        out.add([...path, "cidr"], `${cidr.text} is outside the VPC's CIDR ${vpcCidr.text}`, "fix the subnet or VPC CIDR");
      }
      if (cidr) {
        const clash = seen.find((s) => overlaps(s.cidr, cidr));
        if (clash) out.add([...path, "cidr"], `${cidr.text} overlaps subnets[${clash.index}] (${clash.cidr.text})`, "subnets of a VPC never overlap; fix the CIDR");
        seen.push({ cidr, index });
      }
    });
  }
}

/** Subnets named by a hub/resolver/NLB/consumer must belong to the VPC; returns the AZs they span. */
export function checkSubnetRefs(out: ProblemList, path: Path, refs: unknown, vpc: RawVpc | undefined): Set<string> {
  const azs = new Set<string>();
  if (!vpc) return azs;
  listOf(refs).forEach((ref, index) => {
    const id = str(ref);
    if (!id) return;
    const subnet = vpc.subnets.get(id);
    if (!subnet) {
      out.add([...path, index], `${id} is not a subnet of VPC "${vpc.name}"`, `declare it under vpcs.${vpc.name}.subnets or use one of: ${[...vpc.subnets.keys()].join(", ")}`);
    } else if (subnet.az) {
      azs.add(subnet.az);
    }
  });
  return azs;
}

/** AZs of the chosen subnets (or of all the VPC's subnets when none are chosen). */
export function azsOf(refs: unknown, vpc: RawVpc): Set<string> {
  const ids = refs === undefined ? [...vpc.subnets.keys()] : listOf(refs).map(str);
  return new Set(ids.map((id) => (id ? vpc.subnets.get(id)?.az : undefined)).filter((az): az is string => !!az));
}

function checkHubs(doc: Raw, out: ProblemList, vpcs: Map<string, RawVpc>): void {
  const hubVpcs = new Map<string, string>();
  for (const [name, hub] of entriesOf(doc.hubs)) {
    const base: Path = ["hubs", name];
    const vpcOk = checkReference(out, [...base, "vpc"], hub.vpc, vpcs, "VPC", "vpcs");
    const vpc = vpcOk ? vpcs.get(hub.vpc as string) : undefined;
    if (vpc) {
      const other = hubVpcs.get(vpc.name);
      if (other) out.add([...base, "vpc"], `VPC "${vpc.name}" is already the VPC of hub "${other}"`, "merge the two hubs' services into one hub");
      hubVpcs.set(vpc.name, name);
      if (hub.subnets !== undefined) checkSubnetRefs(out, [...base, "subnets"], hub.subnets, vpc);
      const azs = azsOf(hub.subnets, vpc);
      if (azs.size > 0 && azs.size < 2) {
        out.add(
          [...base, "subnets"],
          `the endpoints would sit in one availability zone (${[...azs].join(", ")}): every spoke loses its AWS APIs when that zone fails`,
          "use subnets in at least two availability zones",
        );
      }
    }
    const region = vpc?.region;
    const seenServices = new Map<string, number>();
    const seenZones = new Map<string, string>();
    /** Alias record addresses of this hub's stack, with the record name and where it comes from. */
    const seenRecords = new Map<string, { name: string; path: Path }>();
    listOf(hub.services).forEach((entry, index) => {
      const path: Path = [...base, "services", index];
      const spec = typeof entry === "string" ? { name: entry } : isObject(entry) ? entry : undefined;
      const serviceName = str(spec?.name);
      if (!spec || !serviceName || !region) return;
      const parsed = parseServiceName(serviceName, region);
      const namePath = typeof entry === "string" ? path : [...path, "name"];
      if (!parsed.ok) {
        out.add(namePath, `"${serviceName}" ${parsed.reason}`, parsed.fix);
        return;
      }
      if (!isKnownService(parsed.short) && spec.unlisted !== true) unknownServiceProblem(out, namePath, parsed.short, typeof entry === "string");
      if (spec.type === "gateway") {
        out.add(
          [...path, "type"],
          GATEWAY_CAPABLE_SERVICES.has(parsed.short)
            ? `gateway endpoints (here ${parsed.short}) cannot be centralized: a gateway endpoint works through the route tables of its own VPC and cannot be shared with other VPCs or on-premises`
            : `${parsed.short} has no gateway endpoint, and gateway endpoints cannot be centralized anyway`,
          GATEWAY_CAPABLE_SERVICES.has(parsed.short)
            ? `remove type: gateway to centralize the ${parsed.short} interface endpoint, and create gateway endpoints in each spoke VPC if you want them`
            : "remove type: gateway",
        );
        return;
      }
      const previous = seenServices.get(parsed.short);
      if (previous !== undefined) {
        out.add(namePath, `${parsed.short} is already listed at services[${previous}]`, "list each service once");
        return;
      }
      seenServices.set(parsed.short, index);
      const dnsNames = listOf(spec.dnsNames).map(str).filter((n): n is string => !!n);
      dnsNames.forEach((dnsName, i) => {
        const reason = invalidDnsName(dnsName);
        if (reason) out.add([...path, "dnsNames", i], `"${dnsName}" ${reason}`, "write a DNS name such as foo.ap-northeast-1.amazonaws.com or *.foo.ap-northeast-1.amazonaws.com");
      });
      if (spec.dualStack === true && spec.dnsNames === undefined && !SERVICE_CATALOG[parsed.short]?.dualStackNames) {
        out.add([...path, "dualStack"], `${parsed.short} publishes no dual-stack (api.aws) name in the catalog`, "remove dualStack, or list the names under dnsNames");
      }
      const plan = planServiceDns(parsed.short, region, {
        dnsNames: spec.dnsNames === undefined ? undefined : dnsNames,
        dualStack: spec.dualStack === true,
      });
      for (const zone of plan.zones) {
        const owner = seenZones.get(zone.name);
        if (owner) {
          out.add(namePath, `needs the zone ${zone.name}, which ${owner} already uses in this hub`, "two services cannot own the same private hosted zone; override dnsNames of one of them");
        } else {
          seenZones.set(zone.name, parsed.short);
        }
        for (const record of zone.recordNames) {
          const address = `aws_route53_record.${recordLogicalName(record)}`;
          const index = dnsNames.indexOf(record);
          const recordPath: Path = index >= 0 ? [...path, "dnsNames", index] : namePath;
          const clash = seenRecords.get(address);
          if (clash && clash.name !== record) {
            out.add(
              recordPath,
              `the record ${record} and the record ${clash.name} (${formatPath(clash.path)}) would both be ${address} in the hub stack: one would silently replace the other`,
              "drop one of the two names (a wildcard *.x is written wildcard.x in resource addresses)",
            );
          } else if (!clash) {
            seenRecords.set(address, { name: record, path: recordPath });
          }
        }
      }
    });
    checkResolver(doc, out, name, hub, vpc);
    listOf(hub.allowedCidrs).forEach((value, index) => {
      checkCidrSyntax(out, [...base, "allowedCidrs", index], value);
      checkClientCidr(out, [...base, "allowedCidrs", index], value);
    });
  }
}

/** The Resolver inbound endpoint of a hub: at least two addresses in two AZs, valid pinned IPs. */
function checkResolver(doc: Raw, out: ProblemList, hubName: string, hub: Raw, vpc: RawVpc | undefined): void {
  const base: Path = ["hubs", hubName, "resolver"];
  const resolver = isObject(hub.resolver) ? hub.resolver : undefined;
  const hubs = declared(doc, "hubs");
  const targets = entriesOf(doc.onPrem).map(([, o]) => str(o.hub) ?? defaultHub(doc));
  const served = targets.includes(hubName);
  // An on-prem network whose hub is missing or unknown is reported on its own; do not cascade.
  const unresolved = targets.some((t) => t === undefined || !hubs.has(t));
  if (resolver && !served && !unresolved) {
    out.add(base, "is configured, but no on-prem network uses this hub: the resolver would admit DNS from nobody", "declare the on-prem networks under onPrem (their CIDRs are the sources the resolver admits), or remove resolver");
  }
  if (!vpc) return;
  if (resolver?.subnets !== undefined && resolver.ipAddresses !== undefined) {
    out.add(base, "sets both subnets and ipAddresses", "pin ipAddresses (recommended) or let AWS assign addresses in subnets, not both");
  }
  if (resolver?.subnets !== undefined) checkSubnetRefs(out, [...base, "subnets"], resolver.subnets, vpc);
  const azs = new Set<string>();
  if (resolver?.ipAddresses !== undefined) {
    const seen = new Map<string, number>();
    listOf(resolver.ipAddresses).forEach((entry, index) => {
      if (!isObject(entry)) return;
      const path: Path = [...base, "ipAddresses", index];
      const subnetId = str(entry.subnet);
      const ip = str(entry.ip);
      const subnet = subnetId ? vpc.subnets.get(subnetId) : undefined;
      if (subnetId && !subnet) {
        out.add([...path, "subnet"], `${subnetId} is not a subnet of hub VPC "${vpc.name}"`, `use one of: ${[...vpc.subnets.keys()].join(", ")}`);
        return;
      }
      if (subnet?.az) azs.add(subnet.az);
      const address = parseIpv4(ip);
      if (!subnet?.cidr || address === undefined) return;
      if (!containsAddress(subnet.cidr, address)) {
        out.add([...path, "ip"], `${ip} is outside its subnet ${subnetId} (${subnet.cidr.text})`, `pick an address of ${subnet.cidr.text}`);
      } else if (isAwsReservedAddress(subnet.cidr, address)) {
        out.add([...path, "ip"], `${ip} is reserved by AWS (the first four addresses and the last one of ${subnet.cidr.text})`, "pick another address of the subnet");
      }
      const previous = seen.get(ip!);
      if (previous !== undefined) out.add([...path, "ip"], `${ip} is already pinned at ipAddresses[${previous}]`, "each address once");
      seen.set(ip!, index);
    });
  } else {
    for (const az of azsOf(resolver?.subnets ?? hub.subnets, vpc)) azs.add(az);
  }
  const tooFew = resolver?.ipAddresses !== undefined && listOf(resolver.ipAddresses).length < 2; // the schema says so already
  if (served && !tooFew && azs.size > 0 && azs.size < 2) {
    out.add(
      resolver?.ipAddresses !== undefined ? [...base, "ipAddresses"] : resolver?.subnets !== undefined ? [...base, "subnets"] : ["hubs", hubName, "subnets"],
      `the resolver inbound endpoint would have addresses in one availability zone (${[...azs].join(", ")}): on-prem DNS stops when it fails`,
      "use addresses in at least two availability zones",
    );
  }
}

/** Zone names a hub would create (used to detect a VPC joining two hubs that serve the same name). */
export function hubZoneNames(hub: Raw, region: string | undefined): Set<string> {
  const names = new Set<string>();
  if (!region) return names;
  for (const entry of listOf(hub.services)) {
    const spec = typeof entry === "string" ? { name: entry } : isObject(entry) ? entry : undefined;
    const parsed = spec && str(spec.name) ? parseServiceName(spec.name as string, region) : undefined;
    if (!parsed?.ok || spec?.type === "gateway") continue;
    const dnsNames = spec?.dnsNames === undefined ? undefined : listOf(spec.dnsNames).map(str).filter((n): n is string => !!n);
    for (const zone of planServiceDns(parsed.short, region, { dnsNames, dualStack: spec?.dualStack === true }).zones) names.add(zone.name);
  }
  return names;
}

function checkSpokes(doc: Raw, out: ProblemList, vpcs: Map<string, RawVpc>): void {
  const hubs = declared(doc, "hubs");
  /** Spokes already seen per hub, to detect overlaps between spokes of one hub. */
  const perHub = new Map<string, Array<{ name: string; vpc: RawVpc }>>();
  /** Hubs each VPC joins, to detect a VPC joining two hubs with the same zone names. */
  const joins = new Map<string, Array<{ spoke: string; hub: string }>>();
  for (const [name, spoke] of entriesOf(doc.spokes)) {
    const base: Path = ["spokes", name];
    const vpc = checkReference(out, [...base, "vpc"], spoke.vpc, vpcs, "VPC", "vpcs") ? vpcs.get(spoke.vpc as string) : undefined;
    const hubName = resolveHubRef(out, doc, base, spoke.hub, "a spoke");
    const hub = hubName ? hubs.get(hubName) : undefined;
    const hubVpc = hub ? vpcs.get(str(hub.vpc) ?? "") : undefined;
    if (!vpc || !hubName || !hubVpc) continue;
    if (vpc.name === hubVpc.name) {
      out.add([...base, "vpc"], `is the VPC of hub "${hubName}" itself, which is associated with the hub's zones already`, "remove this spoke");
      continue;
    }
    if (vpc.cidr && hubVpc.cidr && overlaps(vpc.cidr, hubVpc.cidr)) {
      out.add(
        [...base, "vpc"],
        `VPC "${vpc.name}" (${vpc.cidr.text}) overlaps hub "${hubName}" VPC "${hubVpc.name}" (${hubVpc.cidr.text}): traffic to the hub's endpoints cannot be routed between them`,
        "re-address one of the VPCs, or reach the service through PrivateLink (privateLink:), which tolerates overlapping CIDRs",
      );
    }
    const siblings = perHub.get(hubName) ?? [];
    for (const sibling of siblings) {
      if (sibling.vpc.name === vpc.name) {
        out.add([...base, "vpc"], `VPC "${vpc.name}" already joins hub "${hubName}" as spoke "${sibling.name}"`, "declare each spoke VPC once per hub");
      } else if (vpc.cidr && sibling.vpc.cidr && overlaps(vpc.cidr, sibling.vpc.cidr)) {
        out.add(
          [...base, "vpc"],
          `VPC "${vpc.name}" (${vpc.cidr.text}) overlaps spoke "${sibling.name}" (${sibling.vpc.cidr.text}) of the same hub: the hub cannot route replies to both`,
          "re-address one of the VPCs or attach it to another hub",
        );
      }
    }
    siblings.push({ name, vpc });
    perHub.set(hubName, siblings);
    const joined = joins.get(vpc.name) ?? [];
    for (const other of joined) {
      if (other.hub === hubName) continue;
      const mine = hubZoneNames(hub!, hubVpc.region);
      const theirs = hubZoneNames(hubs.get(other.hub)!, vpcs.get(str(hubs.get(other.hub)!.vpc) ?? "")?.region);
      const shared = [...mine].filter((z) => theirs.has(z));
      if (shared.length > 0) {
        out.add(
          [...base, "hub"],
          `VPC "${vpc.name}" would join zones of the same name from hub "${other.hub}" (spoke "${other.spoke}") and hub "${hubName}": ${shared.join(", ")}; Route 53 rejects this with ConflictingDomainExists`,
          "join the VPC to one hub per service name",
        );
      }
    }
    joined.push({ spoke: name, hub: hubName });
    joins.set(vpc.name, joined);
  }
}

function checkOnPrem(doc: Raw, out: ProblemList, vpcs: Map<string, RawVpc>): void {
  const hubs = declared(doc, "hubs");
  for (const [name, network] of entriesOf(doc.onPrem)) {
    const base: Path = ["onPrem", name];
    const hubName = resolveHubRef(out, doc, base, network.hub, "an on-prem network");
    listOf(network.cidrs).forEach((value, index) => {
      checkCidrSyntax(out, [...base, "cidrs", index], value);
      const cidr = checkClientCidr(out, [...base, "cidrs", index], value);
      if (!cidr) return;
      for (const vpc of vpcs.values()) {
        const isHub = hubName !== undefined && str(hubs.get(hubName)?.vpc) === vpc.name;
        const isSpoke = entriesOf(doc.spokes).some(([, s]) => s.vpc === vpc.name && (s.hub ?? defaultHub(doc)) === hubName);
        if ((isHub || isSpoke) && vpc.cidr && overlaps(vpc.cidr, cidr)) {
          out.add(
            [...base, "cidrs", index],
            `${cidr.text} overlaps ${isHub ? "hub" : "spoke"} VPC "${vpc.name}" (${vpc.cidr.text}): traffic between them cannot be routed`,
            "fix the on-prem CIDR or re-address the VPC",
          );
        }
      }
    });
  }
}

function checkBackend(doc: Raw, out: ProblemList): void {
  const backend = isObject(doc.backend) ? doc.backend : undefined;
  if (backend?.kind === "s3") {
    const region = str(backend.region);
    const roleArn = str(backend.roleArn);
    const rolePartition = iamArnPartition(roleArn);
    if (region && rolePartition && KNOWN_REGIONS.has(region) && partitionOf(region) !== rolePartition) {
      out.add(
        ["backend", "roleArn"],
        `is a role of partition ${rolePartition}, but the state bucket's region ${region} is in partition ${partitionOf(region)}: the role cannot be assumed there`,
        `use a role of partition ${partitionOf(region)} (arn:${partitionOf(region)}:iam::<account>:role/<name>)`,
      );
    }
    if (region && REGION.test(region) && !KNOWN_REGIONS.has(region)) {
      const suggestion = closest(region, KNOWN_REGIONS);
      out.add(["backend", "region"], `"${region}" is not an AWS region`, suggestion ? `did you mean "${suggestion}"?` : "use a region code such as ap-northeast-1");
    }
  }
  if (backend?.kind === "local") {
    const dir = str(backend.directory);
    if (dir && (dir.startsWith("/") || /^[A-Za-z]:[\\/]/.test(dir))) {
      out.add(["backend", "directory"], `"${dir}" is an absolute path: it would leak into every synthesized stack and break on other machines`, "use a path relative to the directory you run the synth from");
    }
    // A path is written into every stack's backend and file() reads: no control character (NUL, line breaks...).
    if (dir && /[\u0000-\u001f\u007f]/.test(dir)) {
      out.add(["backend", "directory"], `${JSON.stringify(dir)} contains a control character`, "use a plain relative path (letters, digits, ., -, _, /)");
    }
  }
}

export type Rule = (doc: Raw, out: ProblemList, vpcs: Map<string, RawVpc>) => void;

/** Rules of the accounts, VPCs, hubs, spokes, on-prem and backend sections. */
export const CORE_RULES: Rule[] = [
  (doc, out) => checkTemplateSequences(doc, out),
  (doc, out) => checkTags(doc, out),
  (doc, out) => checkAccounts(doc, out),
  (doc, out) => checkVpcs(doc, out),
  checkHubs,
  checkSpokes,
  checkOnPrem,
  (doc, out) => checkBackend(doc, out),
];
