/**
 * Quota rules: what AWS would refuse at apply because the estate is too big for an account's quotas.
 * Each problem says the count, the limit in force (AWS's default, or the raised value the topology
 * declares under `quotas:`) and the ways out. Sources: aws/quotas.ts.
 */
import { withoutCovered } from "../aws/cidr";
import { QUOTAS, QuotaKey, quotaValue } from "../aws/quotas";
import { defaultHub, entriesOf, hubZoneNames, listOf, ProblemList, RawVpc, str } from "./rules";

type Raw = Record<string, unknown>;

const raise = (key: QuotaKey) => `raise the quota with AWS ("${QUOTAS[key].name}") and declare the new value (quotas: { ${key}: <value> })`;

export function checkQuotas(doc: Raw, out: ProblemList, vpcs: Map<string, RawVpc>): void {
  const declared = typeof doc.quotas === "object" && doc.quotas !== null ? (doc.quotas as Partial<Record<string, number>>) : undefined;
  const limit = (key: QuotaKey) => quotaValue(key, declared);
  const hubOf = (entry: Raw) => str(entry.hub) ?? defaultHub(doc);
  const zonesPerAccount = new Map<string, { zones: number; hubs: string[] }>();
  const resolvers = new Map<string, string[]>();
  const endpointsPerVpc = new Map<string, Array<{ what: string; count: number }>>();
  const addEndpoints = (vpc: string, what: string, count: number) => endpointsPerVpc.set(vpc, [...(endpointsPerVpc.get(vpc) ?? []), { what, count }]);

  for (const [name, hub] of entriesOf(doc.hubs)) {
    const vpc = vpcs.get(str(hub.vpc) ?? "");
    if (!vpc?.region || !vpc.account) continue;
    const spokes = entriesOf(doc.spokes).filter(([, s]) => hubOf(s) === name);
    const zones = hubZoneNames(hub, vpc.region).size;
    // Spokes a Route 53 Profile serves (the hub's region) are not associated with the zones themselves.
    const joining = hub.sharing === "profile" ? spokes.filter(([, s]) => vpcs.get(str(s.vpc) ?? "")?.region !== vpc.region) : spokes;

    const associated = 1 + joining.length;
    if (zones > 0 && associated > limit("vpcsPerHostedZone")) {
      out.add(
        ["hubs", name],
        `each of its ${zones} zones would be associated with ${associated} VPCs (the hub's and ${joining.length} spokes'), more than the ${limit("vpcsPerHostedZone")} Route 53 allows per private hosted zone${declared?.vpcsPerHostedZone ? " (declared)" : " by default"}: the associations past the limit fail at apply`,
        `${raise("vpcsPerHostedZone")}, split the spokes over several hubs, or share the zones with the spokes of the hub's region through a Route 53 Profile`,
      );
    }

    const native = joining.filter(([, s]) => s.association === "native" && vpcs.get(str(s.vpc) ?? "")?.account !== vpc.account).length;
    if (zones > 0 && native > QUOTAS.authorizationsPerHostedZone.default) {
      out.add(
        ["hubs", name],
        `${native} cross-account spokes join it in native mode, which keeps one authorization per spoke standing on each zone: Route 53 allows ${QUOTAS.authorizationsPerHostedZone.default} per zone (not adjustable)`,
        "use association: script (the default) for the spokes past 100: it deletes each authorization right after the association",
      );
    }

    const account = zonesPerAccount.get(vpc.account) ?? { zones: 0, hubs: [] };
    account.zones += zones;
    account.hubs.push(name);
    zonesPerAccount.set(vpc.account, account);

    if (entriesOf(doc.onPrem).some(([, o]) => hubOf(o) === name)) {
      const key = `${vpc.account}|${vpc.region}`;
      resolvers.set(key, [...(resolvers.get(key) ?? []), name]);
    }

    addEndpoints(vpc.name, `hub "${name}"`, listOf(hub.services).filter((s) => !(typeof s === "object" && s !== null && (s as Raw).type === "gateway")).length);

    // The hub's endpoint security group: one rule per client CIDR that no other one covers.
    const onPrem = entriesOf(doc.onPrem).filter(([, o]) => hubOf(o) === name).flatMap(([, o]) => listOf(o.cidrs).map(str));
    const cidrs = withoutCovered(
      [vpc.cidr?.text, ...spokes.map(([, s]) => vpcs.get(str(s.vpc) ?? "")?.cidr?.text), ...onPrem, ...listOf(hub.allowedCidrs).map(str)].filter((c): c is string => !!c),
    );
    if (cidrs.length > limit("rulesPerSecurityGroup")) {
      out.add(
        ["hubs", name],
        `its endpoint security group would need ${cidrs.length} inbound rules (one per client CIDR no other one covers: the hub, ${spokes.length} spokes, on-prem, allowedCidrs), more than the ${limit("rulesPerSecurityGroup")} AWS allows per security group`,
        `add an allowedCidrs entry that covers the spokes (e.g. 10.0.0.0/8): covered CIDRs need no rule of their own; or ${raise("rulesPerSecurityGroup")}`,
      );
    }
    if (onPrem.length * 2 > limit("rulesPerSecurityGroup")) {
      out.add(["hubs", name, "resolver"], `its Resolver security group would need ${onPrem.length * 2} inbound rules (TCP and UDP 53 per on-prem CIDR), more than ${limit("rulesPerSecurityGroup")}`, `summarize the on-prem CIDRs, or ${raise("rulesPerSecurityGroup")}`);
    }
  }

  for (const [account, { zones, hubs }] of zonesPerAccount) {
    if (zones > limit("hostedZonesPerAccount")) {
      out.add(
        ["hubs", hubs[0]],
        `the hubs of account "${account}" (${hubs.join(", ")}) need ${zones} private hosted zones, more than the ${limit("hostedZonesPerAccount")} AWS allows per account`,
        `${raise("hostedZonesPerAccount")}, or place some hubs in another account`,
      );
    }
  }
  for (const [key, hubs] of resolvers) {
    if (hubs.length > limit("resolverEndpointsPerRegion")) {
      const [account, region] = key.split("|");
      out.add(
        ["hubs", hubs[0], "resolver"],
        `${hubs.length} hubs of account "${account}" in ${region} (${hubs.join(", ")}) each need a Resolver inbound endpoint, more than the ${limit("resolverEndpointsPerRegion")} AWS allows per account and region`,
        `${raise("resolverEndpointsPerRegion")}, or let fewer hubs serve on-premises networks`,
      );
    }
  }

  for (const [service, svc] of entriesOf(doc.privateLink)) {
    const provider = typeof svc.provider === "object" && svc.provider !== null ? (svc.provider as Raw) : undefined;
    const listeners = listOf(provider?.listeners).length;
    if (provider && listeners > limit("listenersPerNetworkLoadBalancer")) {
      out.add(["privateLink", service, "provider", "listeners"], `has ${listeners} listeners, more than the ${limit("listenersPerNetworkLoadBalancer")} AWS allows per Network Load Balancer`, `split the service, or ${raise("listenersPerNetworkLoadBalancer")}`);
    }
    const consumers = entriesOf(svc.consumers);
    if (provider) {
      const clientCidrs = new Set(consumers.flatMap(([, c]) => (c.allowedCidrs !== undefined ? listOf(c.allowedCidrs).map(str) : [vpcs.get(str(c.vpc) ?? "")?.cidr?.text])).filter((c): c is string => !!c));
      const rules = withoutCovered([...clientCidrs]).length * listeners;
      if (rules > limit("rulesPerSecurityGroup")) {
        out.add(
          ["privateLink", service, "provider"],
          `its load balancer's security group would need ${rules} inbound rules (${listeners} listener ports times the consumers' client CIDRs), more than the ${limit("rulesPerSecurityGroup")} AWS allows per security group`,
          `give consumers allowedCidrs that a few blocks cover, or ${raise("rulesPerSecurityGroup")}`,
        );
      }
    }
    for (const [consumer, c] of consumers) {
      const vpc = str(c.vpc);
      if (vpc) addEndpoints(vpc, `consumer "${consumer}" of ${service}`, 1);
    }
  }
  for (const [vpc, uses] of endpointsPerVpc) {
    const total = uses.reduce((n, u) => n + u.count, 0);
    if (total > limit("interfaceEndpointsPerVpc")) {
      out.add(
        ["vpcs", vpc],
        `would hold ${total} interface endpoints (${uses.map((u) => `${u.count} for ${u.what}`).join(", ")}), more than the ${limit("interfaceEndpointsPerVpc")} AWS allows per VPC`,
        `${raise("interfaceEndpointsPerVpc")}, or spread the services over more hubs`,
      );
    }
  }
}
