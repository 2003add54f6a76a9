import { problemsOf } from "../helpers";

const problems = problemsOf;
const pin = (d: Record<string, any>, addresses: Array<{ subnet: string; ip: string }>) => (d.hubs.tokyo.resolver = { ipAddresses: addresses });
const A = "subnet-0a1b2c3d4e5f60011"; // 10.0.1.0/24, ap-northeast-1a
const C = "subnet-0a1b2c3d4e5f60012"; // 10.0.2.0/24, ap-northeast-1c

describe("Resolver inbound endpoint validation", () => {
  it("needs at least two addresses", () => {
    expect(problems((d) => pin(d, [{ subnet: A, ip: "10.0.1.53" }]))).toEqual([
      "hubs.tokyo.resolver.ipAddresses: needs at least two addresses in different availability zones",
    ]);
  });

  it("needs two availability zones", () => {
    expect(problems((d) => pin(d, [{ subnet: A, ip: "10.0.1.53" }, { subnet: A, ip: "10.0.1.54" }]))).toEqual([
      "hubs.tokyo.resolver.ipAddresses: the resolver inbound endpoint would have addresses in one availability zone (ap-northeast-1a): on-prem DNS stops when it fails [use addresses in at least two availability zones]",
    ]);
  });

  it("rejects a pinned address outside its subnet, AWS-reserved addresses, and duplicates", () => {
    expect(
      problems((d) =>
        pin(d, [
          { subnet: A, ip: "10.0.2.53" },
          { subnet: C, ip: "10.0.2.0" },
          { subnet: C, ip: "10.0.2.3" },
          { subnet: C, ip: "10.0.2.255" },
          { subnet: A, ip: "10.0.1.9" },
          { subnet: A, ip: "10.0.1.9" },
        ]),
      ),
    ).toEqual([
      `hubs.tokyo.resolver.ipAddresses[0].ip: 10.0.2.53 is outside its subnet ${A} (10.0.1.0/24) [pick an address of 10.0.1.0/24]`,
      "hubs.tokyo.resolver.ipAddresses[1].ip: 10.0.2.0 is reserved by AWS (the first four addresses and the last one of 10.0.2.0/24) [pick another address of the subnet]",
      "hubs.tokyo.resolver.ipAddresses[2].ip: 10.0.2.3 is reserved by AWS (the first four addresses and the last one of 10.0.2.0/24) [pick another address of the subnet]",
      "hubs.tokyo.resolver.ipAddresses[3].ip: 10.0.2.255 is reserved by AWS (the first four addresses and the last one of 10.0.2.0/24) [pick another address of the subnet]",
      "hubs.tokyo.resolver.ipAddresses[5].ip: 10.0.1.9 is already pinned at ipAddresses[4] [each address once]",
    ]);
  });

  it("rejects a pinned subnet outside the hub VPC", () => {
    expect(problems((d) => pin(d, [{ subnet: A, ip: "10.0.1.53" }, { subnet: "subnet-0a1b2c3d4e5f60021", ip: "10.1.1.53" }]))).toEqual([
      'hubs.tokyo.resolver.ipAddresses[1].subnet: subnet-0a1b2c3d4e5f60021 is not a subnet of hub VPC "hub-tokyo" [use one of: subnet-0a1b2c3d4e5f60011, subnet-0a1b2c3d4e5f60012]',
      "hubs.tokyo.resolver.ipAddresses: the resolver inbound endpoint would have addresses in one availability zone (ap-northeast-1a): on-prem DNS stops when it fails [use addresses in at least two availability zones]",
    ]);
  });

  it("checks AWS-assigned addresses' subnets for two AZs too", () => {
    expect(problems((d) => (d.hubs.tokyo.resolver = { subnets: [A, A] }))).toEqual([
      "hubs.tokyo.resolver.subnets: the resolver inbound endpoint would have addresses in one availability zone (ap-northeast-1a): on-prem DNS stops when it fails [use addresses in at least two availability zones]",
    ]);
  });

  it("rejects a resolver that no on-prem network uses", () => {
    expect(problems((d) => delete d.onPrem)).toEqual([
      "hubs.tokyo.resolver: is configured, but no on-prem network uses this hub: the resolver would admit DNS from nobody [declare the on-prem networks under onPrem (their CIDRs are the sources the resolver admits), or remove resolver]",
    ]);
  });

  it("rejects on-prem networks overlapping the hub and on-prem without a hub", () => {
    expect(problems((d) => (d.onPrem.datacenter.cidrs = ["10.0.0.0/8"]))).toEqual([
      'onPrem.datacenter.cidrs[0]: 10.0.0.0/8 overlaps hub VPC "hub-tokyo" (10.0.0.0/16): traffic between them cannot be routed [fix the on-prem CIDR or re-address the VPC]',
      'onPrem.datacenter.cidrs[0]: 10.0.0.0/8 overlaps spoke VPC "app-tokyo" (10.1.0.0/16): traffic between them cannot be routed [fix the on-prem CIDR or re-address the VPC]',
      'onPrem.datacenter.cidrs[0]: 10.0.0.0/8 overlaps spoke VPC "app-osaka" (10.2.0.0/16): traffic between them cannot be routed [fix the on-prem CIDR or re-address the VPC]',
    ]);
    expect(problems((d) => (d.onPrem.datacenter.hub = "osaka"))).toEqual([
      'onPrem.datacenter.hub: refers to hub "osaka", which is not declared under hubs [declare it under hubs or fix the name]',
    ]);
  });
});
