/**
 * The cost report against hand computations. Each expected figure is written out below from the price
 * table's numbers (listed once, and checked against the bundled table), never from the tool's code:
 * the bundled example, a us-east-1 estate with a transit gateway, and a Tokyo/Osaka estate with on-prem
 * DNS and a cross-region AWS service.
 */
import { BUNDLED_PRICES, tieredCost } from "../../aws/prices";
import { estimate, UnknownPriceRegionError } from "../../cost/estimate";
import { parseTraffic, TrafficError } from "../../cost/traffic";
import { loadTopologyText } from "../../topology/load";
import { exampleDoc } from "../helpers";

// The price table's figures the hand computations use.
const H = 730; // hours a month
const TOKYO_EP = 0.014; // interface endpoint, per endpoint-AZ hour, ap-northeast-1 (and ap-northeast-3, assumed)
const USE1_EP = 0.01; // us-east-1
const GB = 0.01; // endpoint data processed, first PB
const ZONE = 0.5; // hosted zone-month, first 25
const RESOLVER_ENI = 0.125; // per ENI-hour
const QUERIES = 0.4; // per million, first billion
const TOKYO_OUT = 0.09; // inter-region transfer out of ap-northeast-1 (and ap-northeast-3, assumed)
const USE1_OUT = 0.02;
const TOKYO_NLB = 0.0243;
const REMOTE_REGION = 0.05;
const USE1_TGW = 0.05;
const TGW_GB = 0.02;

const round = (n: number) => Math.round((n + Number.EPSILON) * 100) / 100;

it("the hand computations use the bundled table's figures", () => {
  const t = BUNDLED_PRICES;
  expect(t.hoursPerMonth).toBe(H);
  expect(t.regions["ap-northeast-1"].interfaceEndpointHour.usd).toBe(TOKYO_EP);
  expect(t.regions["ap-northeast-3"].interfaceEndpointHour.usd).toBe(TOKYO_EP);
  expect(t.regions["us-east-1"].interfaceEndpointHour.usd).toBe(USE1_EP);
  expect(t.regions["us-east-1"].interfaceEndpointGb.tiers[0]).toEqual({ upTo: 1_000_000, usd: GB });
  expect(t.global.hostedZoneMonth.tiers[0]).toEqual({ upTo: 25, usd: ZONE });
  expect(t.regions["ap-northeast-1"].resolverEniHour.usd).toBe(RESOLVER_ENI);
  expect(t.global.resolverQueriesMillion.tiers[0]).toEqual({ upTo: 1000, usd: QUERIES });
  expect(t.regions["ap-northeast-1"].interRegionOutGb.usd).toBe(TOKYO_OUT);
  expect(t.regions["ap-northeast-3"].interRegionOutGb.usd).toBe(TOKYO_OUT);
  expect(t.regions["us-east-1"].interRegionOutGb.usd).toBe(USE1_OUT);
  expect(t.regions["ap-northeast-1"].nlbHour.usd).toBe(TOKYO_NLB);
  expect(t.regions["ap-northeast-1"].endpointServiceRemoteRegionHour.usd).toBe(REMOTE_REGION);
  expect(t.regions["us-east-1"].transitGatewayAttachmentHour.usd).toBe(USE1_TGW);
  expect(t.regions["us-east-1"].transitGatewayGb.usd).toBe(TGW_GB);
  // Osaka is an assumption, and says so.
  expect(t.regions["ap-northeast-3"].interfaceEndpointHour.confidence).toBe("L");
});

it("tiers: 30 zones in one account are 25 × 0.50 + 5 × 0.10; 1.2 PB processed is 1 PB at 0.01 and 0.2 PB at 0.006", () => {
  expect(round(tieredCost(BUNDLED_PRICES.global.hostedZoneMonth, 30))).toBe(13);
  expect(round(tieredCost(BUNDLED_PRICES.regions["us-east-1"].interfaceEndpointGb, 1_200_000))).toBe(round(1_000_000 * 0.01 + 200_000 * 0.006));
  // Starting where another line of the same account and region left the pool.
  expect(round(tieredCost(BUNDLED_PRICES.global.hostedZoneMonth, 10, 20))).toBe(round(5 * 0.5 + 5 * 0.1));
});

function model(doc: Record<string, any>) {
  return loadTopologyText(JSON.stringify(doc), "test topology").model;
}

function lineOf(report: ReturnType<typeof estimate>, stack: string, item: RegExp) {
  const found = report.lineItems.filter((l) => l.stack === stack && item.test(l.item));
  expect(found).toHaveLength(1);
  return found[0].monthlyUsd;
}

describe("the bundled example", () => {
  it("without traffic: the fixed part, the alternative, the saving and the break-even", () => {
    const report = estimate(model(exampleDoc()), BUNDLED_PRICES);
    const hubEndpoints = round(4 * 2 * H * TOKYO_EP); // ssm, ssmmessages, ec2messages, s3 in 2 AZs: 81.76
    const zones = 6 * ZONE; // s3 has three zones (s3, s3-control, s3-accesspoint): 3.00
    const resolver = round(2 * H * RESOLVER_ENI); // 182.50
    const nlb = round(H * TOKYO_NLB); // 17.74
    const remote = round(1 * H * REMOTE_REGION); // us-east-1 consumer: 36.50
    const consumerTokyo = round(2 * H * TOKYO_EP); // 20.44
    const consumerVirginia = round(2 * H * USE1_EP); // 14.60
    const centralized = round(hubEndpoints + zones + resolver + nlb + remote + consumerTokyo + consumerVirginia);
    expect(centralized).toBe(356.54);
    expect(report.centralizedMonthlyUsd).toBe(centralized);
    // Decentralized: both spokes get the 4 services in their 2 AZs; the hub keeps its endpoints and
    // resolver for the on-prem network; no zones.
    const decentralized = round(hubEndpoints + resolver + 2 * round(4 * 2 * H * TOKYO_EP) + nlb + remote + consumerTokyo + consumerVirginia);
    expect(decentralized).toBe(517.06);
    expect(report.decentralizedMonthlyUsd).toBe(decentralized);
    expect(report.savingMonthlyUsd).toBe(round(decentralized - centralized));
    expect(report.breakEven).toEqual([{ hub: "tokyo", fixedUsd: zones, savingPerSpokeUsd: 81.76, spokes: 2, breakEvenSpokes: 1 }]);
    expect(report.perStack).toEqual([
      { stack: "hub-tokyo", monthlyUsd: round(hubEndpoints + zones + resolver) },
      { stack: "spoke-app-tokyo", monthlyUsd: 0 },
      { stack: "spoke-app-osaka", monthlyUsd: 0 },
      { stack: "service-orders-api", monthlyUsd: round(nlb + remote) },
      { stack: "consumer-orders-api-tokyo", monthlyUsd: consumerTokyo },
      { stack: "consumer-orders-api-virginia", monthlyUsd: consumerVirginia },
    ]);
    // Per-GB lines are there with their rate, so the reader sees what traffic would add.
    const gbLine = report.lineItems.find((l) => l.stack === "hub-tokyo" && l.item === "interface endpoint data processed")!;
    expect([gbLine.quantity, gbLine.unitPriceUsd, gbLine.monthlyUsd]).toEqual([0, GB, 0]);
    expect(report.lowConfidence.some((l) => l.startsWith("ap-northeast-3"))).toBe(true);
  });

  it("with traffic: processing, NLB capacity units and inter-region transfer in both directions, each billed by its sender", () => {
    const m = model(exampleDoc());
    const traffic = parseTraffic(
      "spokes:\n  app-osaka: { sentGb: 100, receivedGb: 300 }\n  app-tokyo: { sentGb: 40, receivedGb: 60 }\n" +
        "onPrem:\n  datacenter: { sentGb: 5, receivedGb: 15, dnsQueriesMillion: 2.5 }\n" +
        "privateLink:\n  orders-api:\n    consumers:\n      virginia: { sentGb: 20, receivedGb: 80 }\n      tokyo: { sentGb: 10, receivedGb: 10 }\n",
      "traffic.yaml",
      m,
    );
    const report = estimate(m, BUNDLED_PRICES, { traffic });
    expect(lineOf(report, "hub-tokyo", /^interface endpoint data processed$/)).toBe(round((400 + 100 + 20) * GB)); // 5.20
    expect(lineOf(report, "hub-tokyo", /^Resolver inbound queries$/)).toBe(round(2.5 * QUERIES)); // 1.00
    expect(lineOf(report, "spoke-app-osaka", /ap-northeast-3 → ap-northeast-1/)).toBe(round(100 * TOKYO_OUT)); // 9.00
    expect(lineOf(report, "spoke-app-osaka", /ap-northeast-1 → ap-northeast-3/)).toBe(round(300 * TOKYO_OUT)); // 27.00
    expect(lineOf(report, "service-orders-api", /NLB capacity units/)).toBe(round((100 + 20) * 0.006)); // 0.72
    expect(lineOf(report, "consumer-orders-api-virginia", /us-east-1 → ap-northeast-1/)).toBe(round(20 * USE1_OUT)); // 0.40
    expect(lineOf(report, "consumer-orders-api-virginia", /ap-northeast-1 → us-east-1/)).toBe(round(80 * TOKYO_OUT)); // 7.20
    const added = round(5.2 + 1 + 9 + 27 + 0.72 + 100 * GB + 0.4 + 7.2 + 20 * GB);
    expect(report.centralizedMonthlyUsd).toBe(round(356.54 + added));
    // The Osaka spoke's answers are paid by the hub's account.
    expect(report.lineItems.find((l) => /ap-northeast-1 → ap-northeast-3/.test(l.item))!.account).toBe("network-hub");
  });
});

/** A VPC of `azs` subnets in `region`, ids derived from `n`. */
function vpc(account: string, region: string, n: number, azs: string[], cidr: string) {
  const hex = n.toString(16).padStart(4, "0");
  return {
    account,
    region,
    vpcId: `vpc-0aaaaaaaaaaaa${hex}`,
    cidr,
    subnets: azs.map((az, i) => ({ id: `subnet-0aaaaaaaaaa${hex}${i}0`, az: `${region}${az}`, cidr: cidr.replace(/\.0\.0\/16$/, `.${i + 1}.0/24`) })),
  };
}

function accounts(names: string[]) {
  return Object.fromEntries(names.map((name, i) => {
    const id = String(100000000000 + i * 1111);
    return [name, { id, deployRoleArn: `arn:aws:iam::${id}:role/deployer` }];
  }));
}

describe("a us-east-1 estate: 10 services in 3 AZs, 5 spokes, a transit gateway", () => {
  const doc = {
    name: "virginia-estate",
    backend: { kind: "local" },
    accounts: accounts(["net", "a1", "a2", "a3", "a4", "a5"]),
    vpcs: {
      hub: vpc("net", "us-east-1", 1, ["a", "b", "c"], "10.0.0.0/16"),
      s1: vpc("a1", "us-east-1", 2, ["a", "b", "c"], "10.1.0.0/16"),
      s2: vpc("a2", "us-east-1", 3, ["a", "b", "c"], "10.2.0.0/16"),
      s3: vpc("a3", "us-east-1", 4, ["a", "b", "c"], "10.3.0.0/16"),
      s4: vpc("a4", "us-east-1", 5, ["a", "b", "c"], "10.4.0.0/16"),
      s5: vpc("a5", "us-east-1", 6, ["a", "b"], "10.5.0.0/16"),
    },
    hubs: { main: { vpc: "hub", services: ["sts", "kms", "logs", "ecr.api", "ecr.dkr", "secretsmanager", "monitoring", "sqs", "ssm", "ssmmessages"] } },
    spokes: Object.fromEntries(["s1", "s2", "s3", "s4", "s5"].map((s) => [s, { vpc: s }])),
  };
  const traffic = "spokes:\n  s1: { sentGb: 100, receivedGb: 400 }\n  s2: { sentGb: 50, receivedGb: 50 }\ntransit: transitGateway\n";

  it("matches the hand computation to the cent", () => {
    const m = model(doc);
    const report = estimate(m, BUNDLED_PRICES, { traffic: parseTraffic(traffic, "t", m) });
    const hubEndpoints = round(10 * 3 * H * USE1_EP); // 219.00
    const zones = 10 * ZONE; // 5.00
    const processing = round((500 + 100) * GB); // 6.00
    const attachment = round(H * USE1_TGW); // 36.50 each: the hub and 5 spokes
    const tgwData = round(100 * TGW_GB) + round(400 * TGW_GB) + round(50 * TGW_GB) + round(50 * TGW_GB); // 12.00
    const centralized = round(hubEndpoints + zones + processing + 6 * attachment + tgwData);
    expect(centralized).toBe(461);
    expect(report.centralizedMonthlyUsd).toBe(centralized);
    const inSpokes = round(4 * round(10 * 3 * H * USE1_EP) + round(10 * 2 * H * USE1_EP)); // 876 + 146
    const decentralized = round(inSpokes + round(500 * GB) + round(100 * GB));
    expect(decentralized).toBe(1028);
    expect(report.decentralizedMonthlyUsd).toBe(decentralized);
    expect(report.savingMonthlyUsd).toBe(567);
    // Only centralizing pays the hub's endpoints, zones and attachment (260.50); a spoke saves its own
    // endpoints minus its attachment and transit processing: (172.5 + 180.5 + 182.5 + 182.5 + 109.5) / 5.
    expect(report.breakEven).toEqual([{ hub: "main", fixedUsd: 260.5, savingPerSpokeUsd: 165.5, spokes: 5, breakEvenSpokes: 2 }]);
  });
});

describe("a Tokyo hub with Osaka spokes, on-prem DNS and S3 in us-east-1 through cross-region PrivateLink", () => {
  const doc = {
    name: "kansai-estate",
    backend: { kind: "local" },
    accounts: accounts(["net", "osaka-a", "osaka-b", "tokyo-c", "client"]),
    vpcs: {
      hub: vpc("net", "ap-northeast-1", 1, ["a", "c"], "10.0.0.0/16"),
      "osaka-a": vpc("osaka-a", "ap-northeast-3", 2, ["a", "b"], "10.1.0.0/16"),
      "osaka-b": vpc("osaka-b", "ap-northeast-3", 3, ["a", "b", "c"], "10.2.0.0/16"),
      "tokyo-c": vpc("tokyo-c", "ap-northeast-1", 4, ["a", "c"], "10.3.0.0/16"),
      client: vpc("client", "ap-northeast-1", 5, ["a", "c"], "10.9.0.0/16"),
    },
    hubs: {
      tokyo: {
        vpc: "hub",
        services: ["ssm", "ssmmessages", "ec2messages", "s3"],
        resolver: { ipAddresses: [{ subnet: "subnet-0aaaaaaaaaa000100", ip: "10.0.1.53" }, { subnet: "subnet-0aaaaaaaaaa000110", ip: "10.0.2.53" }] },
      },
    },
    spokes: { "osaka-a": { vpc: "osaka-a" }, "osaka-b": { vpc: "osaka-b" }, "tokyo-c": { vpc: "tokyo-c" } },
    onPrem: { datacenter: { cidrs: ["192.168.0.0/16"] } },
    privateLink: { "s3-virginia": { awsService: { name: "s3", region: "us-east-1" }, consumers: { "tokyo-client": { vpc: "client" } } } },
  };
  const traffic =
    "spokes:\n  osaka-a: { sentGb: 200, receivedGb: 800 }\n  tokyo-c: { sentGb: 10, receivedGb: 10 }\n" +
    "onPrem:\n  datacenter: { sentGb: 30, receivedGb: 70, dnsQueriesMillion: 5 }\n" +
    "privateLink:\n  s3-virginia:\n    consumers:\n      tokyo-client: { sentGb: 1000, receivedGb: 50 }\n";

  it("matches the hand computation to the cent", () => {
    const m = model(doc);
    const report = estimate(m, BUNDLED_PRICES, { traffic: parseTraffic(traffic, "t", m) });
    const hubEndpoints = round(4 * 2 * H * TOKYO_EP); // 81.76
    const zones = 6 * ZONE; // 3.00
    const hubProcessing = round((1000 + 20 + 100) * GB); // 11.20
    const resolver = round(2 * H * RESOLVER_ENI); // 182.50
    const queries = round(5 * QUERIES); // 2.00
    const osakaA = round(200 * TOKYO_OUT) + round(800 * TOKYO_OUT); // 18 + 72: Osaka's rate assumed equal to Tokyo's
    const consumer = round(2 * H * TOKYO_EP) + round(1050 * GB) + round(1000 * TOKYO_OUT) + round(50 * USE1_OUT); // 20.44 + 10.50 + 90 + 1
    const centralized = round(hubEndpoints + zones + hubProcessing + resolver + queries + osakaA + consumer);
    expect(centralized).toBe(492.4);
    expect(report.centralizedMonthlyUsd).toBe(centralized);
    // The S3 answers from us-east-1 are billed to the consumer (an AWS service has no owner account of ours).
    expect(report.lineItems.find((l) => /us-east-1 → ap-northeast-1/.test(l.item))!.account).toBe("client");
    // No NLB and no remote-region fee: the service is AWS's.
    expect(report.lineItems.filter((l) => /load balancer|remote region/.test(l.item))).toEqual([]);
    const alternative =
      hubEndpoints + round(100 * GB) + resolver + queries + // the hub stays for on-prem
      round(4 * 2 * H * TOKYO_EP) + round(4 * 3 * H * TOKYO_EP) + round(4 * 2 * H * TOKYO_EP) + // osaka-a, osaka-b (3 AZs), tokyo-c
      round(1000 * GB) + round(20 * GB) + // their own processing
      consumer;
    expect(round(alternative)).toBe(685.56);
    expect(report.decentralizedMonthlyUsd).toBe(685.56);
    expect(report.savingMonthlyUsd).toBe(193.16);
    // osaka-a costs more through the hub (90 of transfer > 81.76 of endpoints); the mean still saves.
    expect(report.breakEven).toEqual([{ hub: "tokyo", fixedUsd: 3, savingPerSpokeUsd: round((81.76 - 90 + 122.64 + 81.76) / 3), spokes: 3, breakEvenSpokes: 1 }]);
  });
});

describe("bad input", () => {
  it("a region the table lacks is an error naming every use, never a zero", () => {
    const doc = exampleDoc();
    doc.vpcs["app-osaka"].region = "eu-west-1";
    doc.vpcs["app-osaka"].subnets = [
      { id: "subnet-0a1b2c3d4e5f60031", az: "eu-west-1a", cidr: "10.2.1.0/24" },
      { id: "subnet-0a1b2c3d4e5f60032", az: "eu-west-1b", cidr: "10.2.2.0/24" },
    ];
    const error = (() => {
      try {
        estimate(model(doc), BUNDLED_PRICES);
      } catch (e) {
        return e;
      }
      return undefined;
    })() as Error;
    expect(error).toBeInstanceOf(UnknownPriceRegionError);
    expect(error.message).toContain("no prices for eu-west-1");
    expect(error.message).toContain("eu-west-1: used by spoke app-osaka");
    expect(error.message).toContain("privatelink cost --refresh");
  });

  it("a traffic file's problems are all reported, located, with suggestions", () => {
    const m = model(exampleDoc());
    const text = "spokes:\n  app-osak: { sentGb: 1 }\n  app-tokyo: { sentGb: -3, recievedGb: 2 }\ntransit: tgw\n";
    const error = (() => {
      try {
        parseTraffic(text, "traffic.yaml", m);
      } catch (e) {
        return e;
      }
      return undefined;
    })() as TrafficError;
    expect(error).toBeInstanceOf(TrafficError);
    expect(error.message.split("\n")[0]).toBe("traffic.yaml: 4 problems found; no cost was computed.");
    expect(error.message).toContain('line 2: spokes.app-osak: is not a spoke of the topology\n      fix: did you mean "app-osaka"?');
    expect(error.message).toContain("line 3: spokes.app-tokyo.sentGb: must be a number of GB per month between 0 and 10^12, not -3");
    expect(error.message).toContain('line 3: spokes.app-tokyo.recievedGb: is not a field here\n      fix: did you mean "receivedGb"?');
    expect(error.message).toContain('line 4: transit: must be "none" or "transitGateway", not "tgw"');
  });
});

describe("Route 53 Profiles", () => {
  const PROFILE_ACCOUNT_HOUR = 0.75; // per owner account-region hour, first 100 VPC associations
  const PROFILE_ASSOCIATION_HOUR = 0.0014; // per VPC association-hour beyond 100

  it("the hand computations use the bundled table's Profile prices", () => {
    expect(BUNDLED_PRICES.regions["ap-northeast-1"].profileAccountHour.usd).toBe(PROFILE_ACCOUNT_HOUR);
    expect(BUNDLED_PRICES.regions["ap-northeast-1"].profileAssociationHour.usd).toBe(PROFILE_ASSOCIATION_HOUR);
  });

  it("a hub shared through a Profile costs the same hub with zones plus the Profile's owner account-region hours (547.50 USD a month)", () => {
    const zones = estimate(loadTopologyText(JSON.stringify(exampleDoc())).model, BUNDLED_PRICES);
    const doc = exampleDoc();
    doc.hubs.tokyo.sharing = "profile";
    const profile = estimate(loadTopologyText(JSON.stringify(doc)).model, BUNDLED_PRICES);
    expect(zones.centralizedMonthlyUsd).toBe(356.54);
    expect(round(PROFILE_ACCOUNT_HOUR * H)).toBe(547.5);
    expect(profile.centralizedMonthlyUsd).toBe(round(356.54 + 547.5));
    expect(profile.lineItems.filter((l) => l.item.startsWith("Route 53 Profile")).map((l) => [l.stack, l.item, l.monthlyUsd])).toEqual([["hub-tokyo", "Route 53 Profiles: owner account-region", 547.5]]);
    // Only centralizing has it: it counts in the hub's fixed cost (break-even).
    expect(profile.breakEven[0].fixedUsd).toBe(round(zones.breakEven[0].fixedUsd + 547.5));
  });

  it("past 100 VPC associations per owner account and region, each one more costs its association-hours", () => {
    const doc = exampleDoc();
    doc.hubs.tokyo.sharing = "profile";
    doc.hubs.tokyo.allowedCidrs = ["10.0.0.0/8"];
    doc.quotas = { vpcsPerProfile: 1000 };
    // 150 Tokyo spokes, each in its own account, all served by the Profile.
    for (let i = 0; i < 150; i++) {
      const id = String(600000000000 + i);
      doc.accounts[`w${i}`] = { id, deployRoleArn: `arn:aws:iam::${id}:role/privatelink-deployer` };
      const third = 100 + Math.floor(i / 256);
      doc.vpcs[`v${i}`] = { account: `w${i}`, region: "ap-northeast-1", vpcId: `vpc-${(0x10000000 + i).toString(16)}`, cidr: `10.${third}.${i % 256}.0/24`, subnets: [{ id: `subnet-${(0x20000000 + i).toString(16)}`, az: "ap-northeast-1a", cidr: `10.${third}.${i % 256}.0/25` }] };
      doc.spokes[`s${i}`] = { vpc: `v${i}` };
    }
    const report = estimate(loadTopologyText(JSON.stringify(doc)).model, BUNDLED_PRICES);
    const associations = 151; // the example's Tokyo spoke and the 150
    const items = report.lineItems.filter((l) => l.item.startsWith("Route 53 Profile")).map((l) => [l.item, l.monthlyUsd]);
    expect(items).toEqual([
      ["Route 53 Profiles: owner account-region", 547.5],
      [`Route 53 Profile VPC associations beyond 100: ${associations - 100}`, round((associations - 100) * PROFILE_ASSOCIATION_HOUR * H)],
    ]);
    expect(round(51 * 0.0014 * 730)).toBe(52.12);
  });
});
