/**
 * AWS quotas at synth: an estate AWS would refuse at apply is a located problem with the count, the
 * limit and the ways out; a topology that declares a raised quota is held to that value instead.
 */
import { INTERFACE_SERVICES } from "../../aws/interface-services";
import { QUOTAS } from "../../aws/quotas";
import { SERVICE_CATALOG } from "../../aws/service-catalog";
import { validateDocument } from "../../topology/load";
import { benchTopology } from "../../tools/bench";
import { exampleDoc, problemsOf, resources, synth } from "../helpers";

/** The example with `n` more spokes of the Tokyo hub, each VPC its own /24 of 10.3.x.x-10.4.x.x and its own account. */
function withSpokes(n: number, mutate: (doc: any, i: number) => void = () => undefined): any {
  const doc = exampleDoc();
  for (let i = 0; i < n; i++) {
    const id = String(500000000000 + i);
    doc.accounts[`w${i}`] = { id, deployRoleArn: `arn:aws:iam::${id}:role/deployer` };
    const third = 3 + Math.floor(i / 256);
    const hex = (7000 + i).toString(16).padStart(8, "0");
    doc.vpcs[`s${i}`] = {
      account: `w${i}`,
      region: "ap-northeast-1",
      vpcId: `vpc-${hex}`,
      cidr: `10.${third}.${i % 256}.0/24`,
      subnets: [{ id: `subnet-${hex}`, az: "ap-northeast-1a", cidr: `10.${third}.${i % 256}.0/25` }],
    };
    doc.spokes[`s${i}`] = { vpc: `s${i}` };
    mutate(doc, i);
  }
  return doc;
}

const messages = (doc: any) => validateDocument(doc).map((p) => `${p.path.join(".")}: ${p.message} [${p.fix}]`);

describe("quotas", () => {
  it("VPCs per private hosted zone: 300 by default, the declared value when raised", () => {
    const doc = withSpokes(299, (d) => (d.hubs.tokyo.allowedCidrs = ["10.0.0.0/8"]));
    expect(messages(doc)).toEqual([
      "hubs.tokyo: each of its 6 zones would be associated with 302 VPCs (the hub's and 301 spokes'), more than the 300 Route 53 allows per private hosted zone by default: the associations past the limit fail at apply [raise the quota with AWS (\"Amazon VPCs that you can associate with a private hosted zone\") and declare the new value (quotas: { vpcsPerHostedZone: <value> }), split the spokes over several hubs, or share the zones with the spokes of the hub's region through a Route 53 Profile]",
    ]);
    doc.quotas = { vpcsPerHostedZone: 400 };
    expect(messages(doc)).toEqual([]);
  });

  it("security group rules: one per client CIDR no other covers; a covering allowedCidrs entry is the way out", () => {
    const doc = withSpokes(60);
    expect(messages(doc)).toEqual([
      "hubs.tokyo: its endpoint security group would need 64 inbound rules (one per client CIDR no other one covers: the hub, 62 spokes, on-prem, allowedCidrs), more than the 60 AWS allows per security group [add an allowedCidrs entry that covers the spokes (e.g. 10.0.0.0/8): covered CIDRs need no rule of their own; or raise the quota with AWS (\"Inbound or outbound rules per security group\") and declare the new value (quotas: { rulesPerSecurityGroup: <value> })]",
    ]);
    doc.hubs.tokyo.allowedCidrs = ["10.0.0.0/8"];
    expect(messages(doc)).toEqual([]);
    const hub = synth(doc, { hcl: false }).json["hub-tokyo"];
    const rules = Object.values<any>(resources(hub, "aws_vpc_security_group_ingress_rule")).filter((r) => r.from_port === 443).map((r) => r.cidr_ipv4);
    expect(rules.sort()).toEqual(["10.0.0.0/8", "192.168.0.0/16"]);
  });

  it("native mode keeps one authorization per cross-account spoke on each zone: at most 100", () => {
    const doc = withSpokes(101, (d, i) => (d.spokes[`s${i}`].association = "native"));
    doc.hubs.tokyo.allowedCidrs = ["10.0.0.0/8"];
    expect(messages(doc)).toEqual([
      "hubs.tokyo: 101 cross-account spokes join it in native mode, which keeps one authorization per spoke standing on each zone: Route 53 allows 100 per zone (not adjustable) [use association: script (the default) for the spokes past 100: it deletes each authorization right after the association]",
    ]);
  });

  it("interface endpoints per VPC, listeners per load balancer, Resolver addresses per endpoint", () => {
    const plain = [...INTERFACE_SERVICES].filter((s) => !SERVICE_CATALOG[s] && !s.includes(".")).slice(0, QUOTAS.interfaceEndpointsPerVpc.default - 3);
    expect(
      problemsOf((d) => {
        d.hubs.tokyo.services.push(...plain);
        d.privateLink["orders-api"].provider.listeners = Array.from({ length: 51 }, (_, i) => ({ port: 8000 + i }));
        d.privateLink["orders-api"].consumers.tokyo.allowedCidrs = ["10.50.0.0/16"];
        d.privateLink["orders-api"].consumers.virginia.allowedCidrs = ["10.60.0.0/16"];
        d.hubs.tokyo.resolver.ipAddresses = Array.from({ length: 7 }, (_, i) => ({ subnet: `subnet-0a1b2c3d4e5f6001${1 + (i % 2)}`, ip: `10.0.${1 + (i % 2)}.${60 + i}` }));
      }),
    ).toEqual([
      "hubs.tokyo.resolver.ipAddresses: AWS allows at most 6 addresses per Resolver endpoint",
      "privateLink.orders-api.provider.listeners: has 51 listeners, more than the 50 AWS allows per Network Load Balancer [split the service, or raise the quota with AWS (\"Listeners per Network Load Balancer\") and declare the new value (quotas: { listenersPerNetworkLoadBalancer: <value> })]",
      "privateLink.orders-api.provider: its load balancer's security group would need 102 inbound rules (51 listener ports times the consumers' client CIDRs), more than the 60 AWS allows per security group [give consumers allowedCidrs that a few blocks cover, or raise the quota with AWS (\"Inbound or outbound rules per security group\") and declare the new value (quotas: { rulesPerSecurityGroup: <value> })]",
      'vpcs.hub-tokyo: would hold 51 interface endpoints (51 for hub "tokyo"), more than the 50 AWS allows per VPC [raise the quota with AWS ("Interface and Gateway Load Balancer endpoints per VPC") and declare the new value (quotas: { interfaceEndpointsPerVpc: <value> }), or spread the services over more hubs]',
    ]);
  });

  it("hosted zones per account and Resolver endpoints per account and region, counted across hubs", () => {
    const doc = exampleDoc();
    doc.quotas = { hostedZonesPerAccount: 10 };
    for (let h = 1; h <= 4; h++) {
      doc.vpcs[`hub-${h}`] = { ...doc.vpcs["hub-tokyo"], vpcId: `vpc-0a1b2c3d4e5f6100${h}`, cidr: `172.${16 + h}.0.0/16`, subnets: [1, 2].map((j) => ({ id: `subnet-0a1b2c3d4e5f610${h}${j}`, az: `ap-northeast-1${j === 1 ? "a" : "c"}`, cidr: `172.${16 + h}.${j}.0/24` })) };
      doc.hubs[`extra-${h}`] = { vpc: `hub-${h}`, services: ["sts"] };
      doc.onPrem[`dc-${h}`] = { cidrs: [`192.${160 + h}.0.0/16`], hub: `extra-${h}` };
    }
    for (const spoke of Object.values<any>(doc.spokes)) spoke.hub = "tokyo";
    doc.onPrem.datacenter.hub = "tokyo";
    // 10 zones fit the declared 10; five resolvers do not fit AWS's default of 4.
    expect(messages(doc)).toEqual([
      'hubs.tokyo.resolver: 5 hubs of account "network-hub" in ap-northeast-1 (tokyo, extra-1, extra-2, extra-3, extra-4) each need a Resolver inbound endpoint, more than the 4 AWS allows per account and region [raise the quota with AWS ("Route 53 Resolver endpoints") and declare the new value (quotas: { resolverEndpointsPerRegion: <value> }), or let fewer hubs serve on-premises networks]',
    ]);
    doc.quotas = { hostedZonesPerAccount: 9, resolverEndpointsPerRegion: 5 };
    expect(messages(doc)).toEqual([
      'hubs.tokyo: the hubs of account "network-hub" (tokyo, extra-1, extra-2, extra-3, extra-4) need 10 private hosted zones, more than the 9 AWS allows per account [raise the quota with AWS ("Hosted zones") and declare the new value (quotas: { hostedZonesPerAccount: <value> }), or place some hubs in another account]',
    ]);
  });

  it("the benchmark's estates, up to 1,000 spokes, are ones AWS's default quotas admit", () => {
    for (const spokes of [1, 10, 100, 500, 1000]) expect({ spokes, problems: messages(benchTopology(spokes)) }).toEqual({ spokes, problems: [] });
    expect(Object.keys(benchTopology(500).hubs as object)).toEqual(["main", "main-1"]);
  });
});
