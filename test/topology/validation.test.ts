import { stringify } from "yaml";
import { loadTopologyFile, loadTopologyText } from "../../topology/load";
import { formatPath, TopologyError } from "../../topology/problems";
import { EXAMPLE, exampleDoc, problemsOf } from "../helpers";

const problems = problemsOf;

describe("the bundled example", () => {
  it("is valid and builds the expected model", () => {
    const { model } = loadTopologyFile(EXAMPLE);
    expect(model.hubs.map((h) => h.name)).toEqual(["tokyo"]);
    expect(model.hubs[0].services.map((s) => s.serviceName)).toEqual([
      "com.amazonaws.ap-northeast-1.ssm",
      "com.amazonaws.ap-northeast-1.ssmmessages",
      "com.amazonaws.ap-northeast-1.ec2messages",
      "com.amazonaws.ap-northeast-1.s3",
    ]);
    expect(model.spokes.map((s) => [s.name, s.vpc.region, s.vpc.account.id, s.hub.name, s.association])).toEqual([
      ["app-tokyo", "ap-northeast-1", "222233334444", "tokyo", "script"],
      ["app-osaka", "ap-northeast-3", "333344445555", "tokyo", "script"],
    ]);
    expect(model.onPrem.map((o) => [o.name, o.cidrs, o.hub.name])).toEqual([["datacenter", ["192.168.0.0/16"], "tokyo"]]);
  });
});

describe("structural validation", () => {
  it("explains an unquoted account id (YAML drops leading zeros)", () => {
    expect(problems((d) => (d.accounts["network-hub"].id = 111122223333))).toEqual([
      'accounts.network-hub.id: must be a quoted string: YAML reads unquoted digits as a number (and drops leading zeros); write it in quotes, e.g. "012345678901"',
    ]);
  });

  it("rejects malformed account ids, role ARNs, VPC and subnet ids, regions and CIDRs", () => {
    expect(
      problems((d) => {
        d.accounts["network-hub"].id = "12345";
        d.accounts["workload-tokyo"].deployRoleArn = "arn:aws:iam::222233334444:user/bob";
        d.vpcs["hub-tokyo"].vpcId = "vpc-xyz";
        d.vpcs["hub-tokyo"].subnets[0].id = "subnet-1";
        d.vpcs["app-tokyo"].region = "Tokyo";
        d.vpcs["app-tokyo"].cidr = "10.1.0.0/33";
      }),
    ).toEqual(
      expect.arrayContaining([
        'accounts.network-hub.id: must be a 12-digit AWS account id, e.g. "111111111111"',
        "accounts.workload-tokyo.deployRoleArn: must be an IAM role ARN, e.g. arn:aws:iam::111111111111:role/privatelink-deployer (role names and paths use letters, digits and + = , . @ _ -)",
        "vpcs.hub-tokyo.vpcId: must be an id of the form vpc-<8 or 17 hex digits>, e.g. vpc-0a1b2c3d4e5f60718",
        "vpcs.hub-tokyo.subnets[0].id: must be an id of the form subnet-<8 or 17 hex digits>, e.g. subnet-0a1b2c3d4e5f60718",
        "vpcs.app-tokyo.region: must be an AWS region code such as ap-northeast-1",
        "vpcs.app-tokyo.cidr: must be an IPv4 CIDR block such as 10.0.0.0/16",
      ]),
    );
  });

  it("suggests the right key for a typo and lists allowed keys otherwise", () => {
    expect(
      problems((d) => {
        d.spoke = d.spokes;
        d.hubs.tokyo.servces = [];
        d.vpcs["hub-tokyo"].colour = "blue";
      }),
    ).toEqual(
      expect.arrayContaining([
        'spoke: unknown key "spoke" [did you mean "spokes"?]',
        'hubs.tokyo.servces: unknown key "servces" [did you mean "services"?]',
        'vpcs.hub-tokyo.colour: unknown key "colour" [remove it; keys allowed here: account, region, vpcId, cidr, subnets]',
      ]),
    );
  });

  it("names the allowed kinds of a backend", () => {
    expect(problems((d) => (d.backend = { kind: "gcs" }))).toEqual([
      'backend.kind: must be one of: local, s3 (got string "gcs") [set kind: to local or s3]',
    ]);
  });

  it("reports missing required fields", () => {
    expect(problems((d) => delete d.vpcs["app-osaka"].cidr)).toEqual(["vpcs.app-osaka.cidr: is required [add cidr:]"]);
  });
});

describe("cross-field rules", () => {
  it("reports host bits with the corrected block", () => {
    expect(problems((d) => (d.vpcs["app-tokyo"].cidr = "10.1.2.3/16"))).toEqual(
      expect.arrayContaining([
        "vpcs.app-tokyo.cidr: 10.1.2.3/16 has host bits set (the network address of that block is 10.1.0.0/16) [write 10.1.0.0/16]",
      ]),
    );
  });

  it("suggests the region a typo meant", () => {
    expect(problems((d) => (d.vpcs["app-osaka"].region = "ap-northest-3"))).toEqual([
      'vpcs.app-osaka.region: "ap-northest-3" is not an AWS region [did you mean "ap-northeast-3"?]',
    ]);
  });

  it("rejects a role of another account and duplicate account ids", () => {
    expect(
      problems((d) => {
        d.accounts["workload-tokyo"].deployRoleArn = "arn:aws:iam::999999999999:role/x";
        d.accounts["workload-osaka"].id = "111122223333";
        d.accounts["workload-osaka"].deployRoleArn = "arn:aws:iam::111122223333:role/x";
      }),
    ).toEqual([
      "accounts.workload-tokyo.deployRoleArn: is a role in account 999999999999, but this account is 222233334444 [use a role of account 222233334444, e.g. arn:aws:iam::222233334444:role/<name>]",
      'accounts.workload-osaka.id: duplicates the id of account "network-hub" [declare each AWS account once and refer to it by name]',
    ]);
  });

  it("rejects references to undeclared accounts, VPCs and hubs, with suggestions", () => {
    expect(
      problems((d) => {
        d.vpcs["app-tokyo"].account = "workload-tokio";
        d.spokes["app-osaka"].vpc = "app-osk";
        d.spokes["app-tokyo"].hub = "tokio";
      }),
    ).toEqual([
      'vpcs.app-tokyo.account: refers to account "workload-tokio", which is not declared under accounts [did you mean "workload-tokyo"?]',
      'spokes.app-tokyo.hub: refers to hub "tokio", which is not declared under hubs [did you mean "tokyo"?]',
      'spokes.app-osaka.vpc: refers to VPC "app-osk", which is not declared under vpcs [did you mean "app-osaka"?]',
    ]);
  });

  it("rejects duplicate VPC and subnet ids", () => {
    expect(
      problems((d) => {
        d.vpcs["app-osaka"].vpcId = d.vpcs["app-tokyo"].vpcId;
        d.vpcs["app-osaka"].subnets[1].id = d.vpcs["app-tokyo"].subnets[0].id;
      }),
    ).toEqual([
      'vpcs.app-osaka.vpcId: vpc-0a1b2c3d4e5f60002 is already declared as VPC "app-tokyo" [declare each VPC once and refer to it by name]',
      "vpcs.app-osaka.subnets[1].id: subnet-0a1b2c3d4e5f60021 is already declared in vpcs.app-tokyo.subnets[0] [a subnet belongs to one VPC; remove the duplicate]",
    ]);
  });

  it("checks subnets against their VPC: zone, containment, overlap", () => {
    expect(
      problems((d) => {
        d.vpcs["app-tokyo"].subnets[0].az = "ap-northeast-3a";
        d.vpcs["app-tokyo"].subnets[1].cidr = "10.9.0.0/24";
        d.vpcs["app-osaka"].subnets[1].cidr = "10.2.1.128/25";
      }),
    ).toEqual([
      "vpcs.app-tokyo.subnets[0].az: ap-northeast-3a is not an availability zone of ap-northeast-1 [use a zone of the VPC's region, e.g. ap-northeast-1a]",
      "vpcs.app-tokyo.subnets[1].cidr: 10.9.0.0/24 is outside the VPC's CIDR 10.1.0.0/16 [fix the subnet or VPC CIDR]",
      "vpcs.app-osaka.subnets[1].cidr: 10.2.1.128/25 overlaps subnets[0] (10.2.1.0/24) [subnets of a VPC never overlap; fix the CIDR]",
    ]);
  });

  it("rejects a spoke that overlaps its hub, and two overlapping spokes of one hub", () => {
    expect(
      problems((d) => {
        d.vpcs["app-tokyo"].cidr = "10.0.0.0/8";
        d.vpcs["app-tokyo"].subnets = [{ id: "subnet-0a1b2c3d4e5f60021", az: "ap-northeast-1a", cidr: "10.1.1.0/24" }];
        d.vpcs["app-osaka"].subnets[0].cidr = "10.2.1.0/24";
      }),
    ).toEqual([
      'spokes.app-tokyo.vpc: VPC "app-tokyo" (10.0.0.0/8) overlaps hub "tokyo" VPC "hub-tokyo" (10.0.0.0/16): traffic to the hub\'s endpoints cannot be routed between them [re-address one of the VPCs, or reach the service through PrivateLink (privateLink:), which tolerates overlapping CIDRs]',
      'spokes.app-osaka.vpc: VPC "app-osaka" (10.2.0.0/16) overlaps spoke "app-tokyo" (10.0.0.0/8) of the same hub: the hub cannot route replies to both [re-address one of the VPCs or attach it to another hub]',
    ]);
  });

  it("requires two availability zones for the hub endpoints", () => {
    expect(problems((d) => (d.hubs.tokyo.subnets = ["subnet-0a1b2c3d4e5f60011"]))).toEqual([
      "hubs.tokyo.subnets: the endpoints would sit in one availability zone (ap-northeast-1a): every spoke loses its AWS APIs when that zone fails [use subnets in at least two availability zones]",
    ]);
  });

  it("rejects hub subnets of another VPC", () => {
    expect(problems((d) => (d.hubs.tokyo.subnets = ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60021"]))).toEqual([
      'hubs.tokyo.subnets[1]: subnet-0a1b2c3d4e5f60021 is not a subnet of VPC "hub-tokyo" [declare it under vpcs.hub-tokyo.subnets or use one of: subnet-0a1b2c3d4e5f60011, subnet-0a1b2c3d4e5f60012]',
      "hubs.tokyo.subnets: the endpoints would sit in one availability zone (ap-northeast-1a): every spoke loses its AWS APIs when that zone fails [use subnets in at least two availability zones]",
    ]);
  });

  it("rejects gateway endpoints: they cannot be centralized", () => {
    expect(problems((d) => (d.hubs.tokyo.services[3] = { name: "s3", type: "gateway" }))).toEqual([
      "hubs.tokyo.services[3].type: gateway endpoints (here s3) cannot be centralized: a gateway endpoint works through the route tables of its own VPC and cannot be shared with other VPCs or on-premises [remove type: gateway to centralize the s3 interface endpoint, and create gateway endpoints in each spoke VPC if you want them]",
    ]);
  });

  it("rejects global services proposed for regional centralization", () => {
    expect(problems((d) => d.hubs.tokyo.services.push("iam", "com.amazonaws.route53"))).toEqual([
      'hubs.tokyo.services[4]: "iam" com.amazonaws.iam is a global (regionless) service endpoint served from us-east-1 (LZA #1171), so it cannot be centralized per region [remove it from the hub; reach it through its us-east-1 endpoint (or a hub in us-east-1 with cross-region PrivateLink)]',
      'hubs.tokyo.services[5]: "com.amazonaws.route53" com.amazonaws.route53 is a global (regionless) service endpoint served from us-east-1 (LZA #1010), so it cannot be centralized per region [remove it from the hub; reach it through its us-east-1 endpoint (or a hub in us-east-1 with cross-region PrivateLink)]',
    ]);
  });

  it("rejects a service of another region, duplicates, and bad DNS overrides", () => {
    expect(
      problems((d) => {
        d.hubs.tokyo.services.push("com.amazonaws.us-east-1.sqs", "com.amazonaws.ap-northeast-1.ssm", { name: "foo", unlisted: true, dnsNames: ["foo.*.example.com"] });
      }),
    ).toEqual([
      'hubs.tokyo.services[4]: "com.amazonaws.us-east-1.sqs" names region us-east-1, but this hub is in ap-northeast-1 [use the short name "sqs" (the hub\'s region is implied) or move the service to a hub in us-east-1]',
      "hubs.tokyo.services[5]: ssm is already listed at services[0] [list each service once]",
      'hubs.tokyo.services[6].dnsNames[0]: "foo.*.example.com" a wildcard may only be the whole first label (*.example.com) [write a DNS name such as foo.ap-northeast-1.amazonaws.com or *.foo.ap-northeast-1.amazonaws.com]',
    ]);
  });

  it("rejects two services that need the same zone", () => {
    expect(problems((d) => d.hubs.tokyo.services.push({ name: "custom", unlisted: true, dnsNames: ["ssm.ap-northeast-1.amazonaws.com"] }))).toEqual([
      "hubs.tokyo.services[4].name: needs the zone ssm.ap-northeast-1.amazonaws.com, which ssm already uses in this hub [two services cannot own the same private hosted zone; override dnsNames of one of them]",
    ]);
  });

  it("never lets ingress open to the world", () => {
    expect(problems((d) => (d.hubs.tokyo.allowedCidrs = ["0.0.0.0/0"]))).toEqual([
      "hubs.tokyo.allowedCidrs[0]: 0.0.0.0/0 would open the port to (almost) the whole internet address space [list the client networks precisely (a /8 is the widest block accepted)]",
    ]);
  });

  it("requires a hub name when several hubs exist, and a hub at all", () => {
    expect(
      problems((d) => {
        d.hubs.osaka = { vpc: "app-osaka", services: ["sqs"] };
        delete d.spokes["app-osaka"];
      }),
    ).toEqual([
      "spokes.app-tokyo.hub: must name its hub: the topology has 2 hubs [set hub: to one of tokyo, osaka]",
      "onPrem.datacenter.hub: must name its hub: the topology has 2 hubs [set hub: to one of tokyo, osaka]",
    ]);
    expect(problems((d) => delete d.hubs)).toEqual([
      "spokes.app-tokyo.hub: declares a spoke, but the topology has no hub [declare a hub under hubs]",
      "spokes.app-osaka.hub: declares a spoke, but the topology has no hub [declare a hub under hubs]",
      "onPrem.datacenter.hub: declares an on-prem network, but the topology has no hub [declare a hub under hubs]",
    ]);
  });

  it("rejects a VPC joining two hubs that serve the same names (ConflictingDomainExists)", () => {
    expect(
      problems((d) => {
        d.vpcs["hub-b"] = { ...d.vpcs["orders-provider"], vpcId: "vpc-0a1b2c3d4e5f60099", cidr: "10.70.0.0/16", subnets: [
          { id: "subnet-0a1b2c3d4e5f60991", az: "ap-northeast-1a", cidr: "10.70.1.0/24" },
          { id: "subnet-0a1b2c3d4e5f60992", az: "ap-northeast-1c", cidr: "10.70.2.0/24" },
        ] };
        d.hubs.second = { vpc: "hub-b", services: ["ssm", "sqs"] };
        d.spokes["app-tokyo"].hub = "tokyo";
        d.spokes["app-osaka"].hub = "tokyo";
        d.spokes["app-tokyo-2"] = { vpc: "app-tokyo", hub: "second" };
        d.onPrem.datacenter.hub = "tokyo";
      }),
    ).toEqual([
      'spokes.app-tokyo-2.hub: VPC "app-tokyo" would join zones of the same name from hub "tokyo" (spoke "app-tokyo") and hub "second": ssm.ap-northeast-1.amazonaws.com; Route 53 rejects this with ConflictingDomainExists [join the VPC to one hub per service name]',
    ]);
  });

  it("rejects on-prem networks overlapping the hub or a spoke", () => {
    expect(problems((d) => (d.onPrem.datacenter.cidrs = ["10.1.128.0/17", "172.16.0.0/12"]))).toEqual([
      'onPrem.datacenter.cidrs[0]: 10.1.128.0/17 overlaps spoke VPC "app-tokyo" (10.1.0.0/16): traffic between them cannot be routed [fix the on-prem CIDR or re-address the VPC]',
    ]);
  });

  it("rejects an absolute local state directory", () => {
    expect(problems((d) => (d.backend = { kind: "local", directory: "/home/me/state" }))).toEqual([
      'backend.directory: "/home/me/state" is an absolute path: it would leak into every synthesized stack and break on other machines [use a path relative to the directory you run the synth from]',
    ]);
  });
});

describe("loading", () => {
  it("reports every problem at once, with line numbers, sorted by line", () => {
    const doc = exampleDoc();
    doc.accounts["network-hub"].id = "1";
    doc.vpcs["app-osaka"].region = "ap-northest-3";
    doc.spokes["app-tokyo"].vpc = "nope";
    const text = stringify(doc);
    let error: unknown;
    try {
      loadTopologyText(text, "broken.yaml");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TopologyError);
    const err = error as TopologyError;
    expect(err.problems.map((p) => formatPath(p.path))).toEqual(["accounts.network-hub.id", "vpcs.app-osaka.region", "spokes.app-tokyo.vpc"]);
    const lines = text.split("\n");
    for (const problem of err.problems) {
      const key = String(problem.path[problem.path.length - 1]);
      expect(lines[problem.line! - 1]).toContain(`${key}:`);
    }
    expect(err.message).toMatch(/^broken\.yaml: 3 problems found; nothing was synthesized\./);
  });

  it("reports duplicate keys with their line", () => {
    expect(() => loadTopologyText("name: a\nname: b\naccounts: {}\nvpcs: {}\n", "dup.yaml")).toThrow(/line 2: \(top level\): duplicate key: Map keys must be unique/);
  });

  it("reports a missing file with the path to fix", () => {
    expect(() => loadTopologyFile("/nonexistent/topology.yaml")).toThrow(/cannot be read: it does not exist\n.*fix: check the topology's path \(--topology or TOPOLOGY\)/);
  });
});
