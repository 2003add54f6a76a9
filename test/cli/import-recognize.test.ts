/**
 * What `privatelink import` makes of PrivateLink services it finds (cli/import.ts `recognize`, no AWS call):
 * the shape this product builds is adopted as built (names, security group or none, target group names,
 * principals, regions, acceptance); other shapes are listed as not adopted, with the reason. The emulator
 * run (import-moto.test.ts) proves the adoption end to end.
 */
import { Account, Found, recognize } from "../../cli/import";
import { loadTopologyText } from "../../topology/load";

const REGION = "ap-northeast-1";
const owner: Account = { name: "service-owner", id: "444455556666", deployRoleArn: "arn:aws:iam::444455556666:role/deployer" };
const client: Account = { name: "workload", id: "222233334444", deployRoleArn: "arn:aws:iam::222233334444:role/deployer" };
const SERVICE_NAME = `com.amazonaws.vpce.${REGION}.vpce-svc-0123456789abcdef0`;
const LB = `arn:aws:elasticloadbalancing:${REGION}:444455556666:loadbalancer/net/orders/0123456789abcdef`;
const TG = `arn:aws:elasticloadbalancing:${REGION}:444455556666:targetgroup/orders-tg/0123456789abcdef`;

const subnets = (prefix: string, n: number) => ["a", "c", "d"].slice(0, n).map((az, i) => ({ id: `subnet-${prefix}${i}00000000000000`.slice(0, 24), az: `${REGION}${az}`, cidr: `10.${prefix === "0aaa" ? 50 : 1}.${i + 1}.0/24` }));

function estate(change: { service?: Partial<Found["endpointServices"][number]>; lb?: Partial<Found["loadBalancers"][number]>; consumer?: boolean } = {}): Found[] {
  const service: Found["endpointServices"][number] = {
    id: "vpce-svc-0123456789abcdef0",
    name: SERVICE_NAME,
    tag: "Orders API",
    acceptance: true,
    nlbs: [LB],
    gwlbs: 0,
    principals: [`arn:aws:iam::${client.id}:root`],
    supportedRegions: [],
    connections: [{ endpointId: "vpce-0123456789abcdef1", owner: client.id, state: "available" }],
    ...change.service,
  };
  const lb: Found["loadBalancers"][number] = {
    arn: LB,
    name: "orders",
    type: "network",
    scheme: "internal",
    vpcId: "vpc-0aaa0000000000000",
    securityGroups: [],
    subnets: subnets("0aaa", 2).map((s) => s.id),
    listeners: [{ arn: `${LB}/listener`, port: 443, protocol: "TCP", forwardTo: TG }],
    targetGroups: [{ arn: TG, name: "orders-tg", port: 8443, protocol: "TCP", type: "ip", targets: ["10.50.1.10", "10.50.2.10"] }],
    ...change.lb,
  };
  const serviceSide: Found = {
    account: owner,
    region: REGION,
    vpcs: [{ id: "vpc-0aaa0000000000000", cidr: "10.50.0.0/16", name: "orders", subnets: subnets("0aaa", 3) }],
    endpoints: [],
    rules: [],
    resolvers: [],
    endpointServices: [service],
    loadBalancers: [lb],
  };
  const clientSide: Found = {
    account: client,
    region: REGION,
    vpcs: [{ id: "vpc-0bbb0000000000000", cidr: "10.1.0.0/16", name: "app", subnets: subnets("0bbb", 2) }],
    endpoints:
      change.consumer === false
        ? []
        : [{ VpcEndpointId: "vpce-0123456789abcdef1", VpcEndpointType: "Interface", VpcId: "vpc-0bbb0000000000000", ServiceName: SERVICE_NAME, PrivateDnsEnabled: false, SubnetIds: subnets("0bbb", 2).map((s) => s.id), Groups: [{ GroupId: "sg-0bbb0000000000001" }] }],
    rules: [{ GroupId: "sg-0bbb0000000000001", IsEgress: false, IpProtocol: "tcp", FromPort: 443, ToPort: 443, CidrIpv4: "10.1.1.0/24", SecurityGroupRuleId: "sgr-0bbb0000000000001" }],
    resolvers: [],
    endpointServices: [],
    loadBalancers: [],
  };
  return [serviceSide, clientSide];
}

const run = (found: Found[]) => recognize([owner, client], found, [], "adopted", "script");

describe("privatelink import recognizes PrivateLink services", () => {
  it("adopts the product's shape as built: a load balancer without a security group keeps none, names kept, ports mapped", () => {
    const r = run(estate());
    expect(r.doc.privateLink).toEqual({
      "orders-api": {
        provider: {
          vpc: "orders",
          subnets: subnets("0aaa", 2).map((s) => s.id),
          listeners: [{ port: 443, targetPort: 8443 }],
          targets: { type: "ip", ids: ["10.50.1.10", "10.50.2.10"] },
          loadBalancer: { name: "orders", securityGroupId: "none", targetGroups: { "8443": "orders-tg" } },
        },
        consumers: { app: { vpc: "app", securityGroupId: "sg-0bbb0000000000001", allowedCidrs: ["10.1.1.0/24"] } },
      },
    });
    expect(r.report.choices).toEqual(expect.arrayContaining([expect.stringContaining("its NLB orders has no security group and keeps none")]));
    expect(r.services.map((s) => [s.stack, s.serviceId, s.consumers.map((c) => [c.stack, c.accepter])])).toEqual([
      ["service-orders-api", "vpce-svc-0123456789abcdef0", [["consumer-orders-api-app", "vpce-svc-0123456789abcdef0_vpce-0123456789abcdef1"]]],
    ]);
    expect(r.outputs).toEqual({ "service-orders-api": { service_name: SERVICE_NAME, service_id: "vpce-svc-0123456789abcdef0" } });
    // What it wrote is a valid topology.
    expect(() => loadTopologyText(JSON.stringify(r.doc), "adopted.yaml")).not.toThrow();
  });

  it("keeps principals and regions beyond the consumers', and says what the first plan accepts and allows", () => {
    const r = run(estate({ service: { principals: ["arn:aws:iam::999988887777:root"], supportedRegions: ["us-east-1"], connections: [{ endpointId: "vpce-0123456789abcdef1", owner: client.id, state: "pendingAcceptance" }] } }));
    expect(r.doc.privateLink["orders-api"].provider).toMatchObject({ allowedPrincipals: ["arn:aws:iam::222233334444:root", "arn:aws:iam::999988887777:root"], supportedRegions: ["us-east-1"] });
    expect(r.report.firstPlan).toEqual(
      expect.arrayContaining([
        "service orders-api: allows principal arn:aws:iam::222233334444:root (a consumer's account, not allowed yet)",
        "consumer orders-api/app: accepts the connection of vpce-0123456789abcdef1 (now pendingAcceptance)",
      ]),
    );
    expect(r.services[0].consumers[0].accepter).toBeUndefined();
    expect(() => loadTopologyText(JSON.stringify(r.doc), "adopted.yaml")).not.toThrow();
  });

  it("adopts the first of an NLB's groups and says the others go; registers every target in every target group", () => {
    const TG2 = `${TG}2`;
    const r = run(
      estate({
        lb: {
          securityGroups: ["sg-0aaa0000000000001", "sg-0aaa0000000000002"],
          listeners: [
            { arn: "l1", port: 443, protocol: "TCP", forwardTo: TG },
            { arn: "l2", port: 9443, protocol: "TCP", forwardTo: TG2 },
          ],
          targetGroups: [
            { arn: TG, name: "orders-tg", port: 8443, protocol: "TCP", type: "ip", targets: ["10.50.1.10", "10.50.2.10"] },
            { arn: TG2, name: "orders-api-9443", port: 9443, protocol: "TCP", type: "ip", targets: ["10.50.1.10"] },
          ],
        },
      }),
    );
    const provider = r.doc.privateLink["orders-api"].provider;
    expect([provider.listeners, provider.loadBalancer]).toEqual([
      [{ port: 443, targetPort: 8443 }, { port: 9443 }],
      { name: "orders", securityGroupId: "sg-0aaa0000000000001", targetGroups: { "8443": "orders-tg" } },
    ]);
    expect(r.report.choices).toEqual(expect.arrayContaining(["service orders-api: security group sg-0aaa0000000000001 adopted for the NLB; its other groups (sg-0aaa0000000000002) are removed from it by the first plan (in place)"]));
    expect(r.report.firstPlan).toEqual(expect.arrayContaining([expect.stringContaining("registers its 2 target(s) in target group orders-api-9443 (1 not registered there yet)")]));
    // The consumer's group admits 10.1.1.0/24 on 443 only, not on 9443: its clients default to its VPC, whose
    // rules the first plan adds on both groups, as listed.
    expect(r.doc.privateLink["orders-api"].consumers.app.allowedCidrs).toBeUndefined();
    expect(r.report.firstPlan).toEqual(
      expect.arrayContaining([
        "consumer orders-api/app: adds rules on sg-0bbb0000000000001 admitting 10.1.0.0/16 on port(s) 443, 9443",
        "service orders-api: adds a rule on sg-0aaa0000000000001 admitting 10.1.0.0/16 on port 443",
        "service orders-api: adds a rule on sg-0aaa0000000000001 admitting 10.1.0.0/16 on port 9443",
        "service orders-api: adds an egress rule on sg-0aaa0000000000001 to 10.50.2.10/32 on port 9443",
      ]),
    );
  });

  it("lists a connection from an account not searched, and a service without consumers, and still adopts", () => {
    const r = run(estate({ consumer: false, service: { connections: [{ endpointId: "vpce-0fff0000000000000", owner: "777766665555", state: "available" }] } }));
    expect(r.doc.privateLink["orders-api"].consumers).toEqual({});
    expect(r.report.notManaged).toEqual([expect.stringContaining("connection of endpoint vpce-0fff0000000000000 (account 777766665555, available) is not in a listed account: left as it is")]);
  });

  it.each([
    ["a gateway load balancer", { service: { gwlbs: 1, nlbs: [] } }, "it has 0 network and 1 gateway load balancer(s)"],
    ["an internet-facing load balancer", { lb: { scheme: "internet-facing" } }, "its load balancer orders is internet-facing (network)"],
    ["a TLS listener", { lb: { listeners: [{ arn: "l", port: 443, protocol: "TLS", forwardTo: TG }] } }, "listener 443 is TLS forwarding to a TCP target group"],
    ["a listener without a single forward", { lb: { listeners: [{ arn: "l", port: 443, protocol: "TCP" }] } }, "listener 443 is TCP without a single forward action"],
    ["no registered target", { lb: { targetGroups: [{ arn: TG, name: "orders-tg", port: 8443, protocol: "TCP", type: "ip", targets: [] }] } }, "no target is registered"],
    ["an ALB target group", { lb: { targetGroups: [{ arn: TG, name: "orders-tg", port: 8443, protocol: "TCP", type: "alb", targets: ["arn:alb"] }] } }, "its target groups have target type alb"],
  ])("leaves %s alone, and says why", (_, change, why) => {
    const r = run(estate(change as never));
    expect(r.doc.privateLink).toBeUndefined();
    expect(r.report.notManaged).toEqual(expect.arrayContaining([expect.stringContaining(`endpoint service vpce-svc-0123456789abcdef0 (${SERVICE_NAME}) in service-owner ${REGION}: not adopted: ${why}`)]));
    // The consumer's endpoint is then not adopted either: listed as left alone.
    expect(r.report.notManaged).toEqual(expect.arrayContaining([expect.stringContaining("endpoint vpce-0123456789abcdef1")]));
  });
});
