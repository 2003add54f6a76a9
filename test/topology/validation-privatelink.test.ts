import { validateDocument } from "../../topology/load";
import { exampleDoc, problemsOf } from "../helpers";

const problems = problemsOf;

const orders = (d: Record<string, any>) => d.privateLink["orders-api"];

describe("PrivateLink validation", () => {
  it("accepts consumer CIDRs that overlap the provider's (seed 002)", () => {
    const doc = exampleDoc();
    expect(doc.vpcs["orders-client-tokyo"].cidr).toBe(doc.vpcs["orders-provider"].cidr);
    expect(validateDocument(doc)).toEqual([]);
  });

  it("rejects an NLB in one AZ when a consumer is cross-region (AWS refuses it)", () => {
    expect(problems((d) => (orders(d).provider.subnets = ["subnet-0a1b2c3d4e5f60041"]))).toEqual([
      'privateLink.orders-api.provider.subnets: the NLB spans one availability zone (ap-northeast-1a), and consumer "virginia" is in us-east-1: AWS rejects cross-region endpoint services with fewer than two AZs [give the NLB subnets in at least two availability zones]',
    ]);
  });

  it("rejects a single-AZ NLB by default, and allows it on request when every consumer is in-region", () => {
    const single = (d: Record<string, any>) => {
      orders(d).provider.subnets = ["subnet-0a1b2c3d4e5f60041"];
      delete orders(d).consumers.virginia;
    };
    expect(problems(single)).toEqual([
      "privateLink.orders-api.provider.subnets: the NLB spans one availability zone (ap-northeast-1a): every consumer loses the service when it fails [give the NLB subnets in at least two availability zones, or set allowSingleAz: true for a non-critical service]",
    ]);
    expect(problems((d) => (single(d), (orders(d).provider.allowSingleAz = true)))).toEqual([]);
    expect(problems((d) => ((orders(d).provider.subnets = ["subnet-0a1b2c3d4e5f60041"]), (orders(d).provider.allowSingleAz = true)))).toHaveLength(1);
  });

  it("checks what an adopted load balancer was built with: target group ports, names AWS refuses", () => {
    expect(problems((d) => (orders(d).provider.loadBalancer = { name: "internal-orders", targetGroups: { "8080": "orders-tg" } }))).toEqual([
      "privateLink.orders-api.provider.loadBalancer.targetGroups[\"8080\"]: names a target group for port 8080, which no listener targets (80) [remove it, or add the listener]",
      "privateLink.orders-api.provider.loadBalancer.name: internal-orders starts with internal-, which AWS refuses [choose another name]",
    ]);
    expect(problems((d) => (orders(d).provider.loadBalancer = { name: "-orders", securityGroupId: "sg-1", targetGroups: { "80": "x".repeat(33) } }))).toHaveLength(3);
    expect(problems((d) => (orders(d).provider.loadBalancer = { name: "orders-by-hand", securityGroupId: "none", targetGroups: { "80": "orders-tg" } }))).toEqual([]);
  });

  it("rejects a consumer region outside explicit supportedRegions", () => {
    expect(problems((d) => (orders(d).provider.supportedRegions = ["ap-northeast-1", "eu-west-1"]))).toEqual([
      "privateLink.orders-api.consumers.virginia.vpc: is in us-east-1, which the service's supportedRegions (ap-northeast-1, eu-west-1) do not include [add us-east-1 to provider.supportedRegions, or drop supportedRegions to derive them from the consumers]",
    ]);
  });

  it("requires every consumer account in hand-written principals", () => {
    expect(problems((d) => (orders(d).provider.allowedPrincipals = ["arn:aws:iam::222233334444:role/orders-client"]))).toEqual([
      'privateLink.orders-api.provider.allowedPrincipals: does not admit consumer "virginia" (account 333344445555): its endpoint would be rejected [add arn:aws:iam::333344445555:root (or a role of that account)]',
    ]);
  });

  it('never accepts "*" by accident, nor malformed or foreign-partition principals', () => {
    expect(problems((d) => (orders(d).provider.allowedPrincipals = ["*", "bob", "arn:aws-cn:iam::222233334444:root"]))).toEqual([
      'privateLink.orders-api.provider.allowedPrincipals[0]: "*" admits every AWS account in the world to request a connection [list the consumers\' principals (arn:aws:iam::<account>:root), or set allowAnyPrincipal: true if the service is public by design]',
      'privateLink.orders-api.provider.allowedPrincipals[1]: "bob" is not an IAM principal ARN [use arn:aws:iam::<account>:root, or a role/user ARN]',
      "privateLink.orders-api.provider.allowedPrincipals[2]: is in partition aws-cn, the service in aws [use an ARN of partition aws]",
    ]);
    expect(problems((d) => ((orders(d).provider.allowedPrincipals = ["*"]), (orders(d).provider.allowAnyPrincipal = true)))).toEqual([]);
  });

  it("rejects ports outside 1-65535 and duplicate listeners", () => {
    expect(problems((d) => (orders(d).provider.listeners = [{ port: 0 }, { port: 70000 }, { port: 80, targetPort: 8080 }, { port: 80 }]))).toEqual([
      "privateLink.orders-api.provider.listeners[0].port: must be a port between 1 and 65535",
      "privateLink.orders-api.provider.listeners[1].port: must be a port between 1 and 65535",
      "privateLink.orders-api.provider.listeners[3].port: port 80 is already a listener (listeners[2]) [one listener per port]",
    ]);
  });

  it("checks target ids against the target type", () => {
    expect(problems((d) => (orders(d).provider.targets = { type: "instance", ids: ["10.50.1.10"] }))).toEqual([
      'privateLink.orders-api.provider.targets.ids[0]: "10.50.1.10" is not an instance id [use i-<8 or 17 hex digits>, or set type: ip for IP targets]',
    ]);
    expect(problems((d) => (orders(d).provider.targets = { type: "ip", ids: ["10.50.1.10", "8.8.8.8", "i-0a1b2c3d"] }))).toEqual([
      "privateLink.orders-api.provider.targets.ids[1]: 8.8.8.8 is neither in the VPC (10.50.0.0/16) nor in a private range: an NLB cannot target it [use an address of the VPC or of a private network routed to it]",
      'privateLink.orders-api.provider.targets.ids[2]: "i-0a1b2c3d" is not an IPv4 address [use an address such as 10.50.1.10]',
    ]);
  });

  it("rejects consumers in another partition", () => {
    expect(
      problems((d) => {
        d.accounts.china = { id: "555566667777", deployRoleArn: "arn:aws-cn:iam::555566667777:role/x" };
        d.vpcs["cn-client"] = {
          account: "china",
          region: "cn-north-1",
          vpcId: "vpc-0a1b2c3d4e5f60077",
          cidr: "10.77.0.0/16",
          subnets: [{ id: "subnet-0a1b2c3d4e5f60077", az: "cn-north-1a", cidr: "10.77.1.0/24" }],
        };
        orders(d).consumers.beijing = { vpc: "cn-client" };
      }),
    ).toEqual([
      "privateLink.orders-api.consumers.beijing.vpc: is in partition aws-cn, the service in aws: PrivateLink never crosses partitions [consume the service from a VPC of the same partition]",
    ]);
  });

  it("allows cross-region consumers of AWS services only for the services AWS enabled, never gateway endpoints", () => {
    const aws = (name: string, type?: string) => (d: Record<string, any>) => {
      d.privateLink.storage = { awsService: { name, region: "ap-northeast-1", ...(type ? { type } : {}) }, consumers: { virginia: { vpc: "orders-client-virginia" } } };
    };
    expect(problems(aws("s3"))).toEqual([]);
    expect(problems(aws("ecr.dkr"))).toEqual([]);
    expect(problems(aws("sqs"))).toEqual([
      "privateLink.storage.consumers.virginia.vpc: is in us-east-1, but AWS enabled cross-region PrivateLink only for s3, iam, ecr.api, ecr.dkr, kms, kms-fips, ecs, lambda, kinesis-firehose, kinesisanalytics, kinesisanalytics-fips, route53; sqs works only from ap-northeast-1 [consume sqs through an endpoint in us-east-1 instead (a hub there)]",
    ]);
    expect(problems(aws("s3", "gateway"))).toEqual([
      "privateLink.storage.awsService.type: gateway endpoints never work across regions (nor across VPCs): only interface endpoints reach a service in another region [remove type: gateway to use an interface endpoint]",
    ]);
    expect(problems(aws("iam"))).toEqual([
      'privateLink.storage.awsService.name: "iam" com.amazonaws.iam is a global (regionless) service endpoint served from us-east-1 (LZA #1171): its PrivateLink service exists only in us-east-1 [set awsService.region: us-east-1]',
    ]);
  });

  it("requires exactly one of provider and awsService", () => {
    expect(problems((d) => (orders(d).awsService = { name: "s3", region: "ap-northeast-1" }))).toEqual([
      "privateLink.orders-api: declares both provider: and awsService: [a service is either your own NLB service (provider:) or an AWS service (awsService:); split it in two]",
    ]);
    expect(problems((d) => delete orders(d).provider)).toEqual([
      "privateLink.orders-api: needs provider: (your NLB-backed service) or awsService: (an AWS service such as s3) [add one of them]",
    ]);
  });

  it("rejects acceptance and private DNS options that cannot take effect", () => {
    expect(
      problems((d) => {
        orders(d).provider.acceptanceRequired = false;
        orders(d).consumers.tokyo.acceptance = "manual";
        orders(d).consumers.virginia.privateDns = true;
      }),
    ).toEqual([
      "privateLink.orders-api.consumers.tokyo.acceptance: manual acceptance has no effect: the service does not require acceptance [remove acceptance: manual, or set provider.acceptanceRequired: true]",
      "privateLink.orders-api.consumers.virginia.privateDns: the service has no private DNS name to enable [set provider.privateDnsName, or remove privateDns]",
    ]);
  });

  it("rejects a VPC consuming the same service twice, and references to undeclared VPCs", () => {
    expect(
      problems((d) => {
        orders(d).consumers.again = { vpc: "orders-client-tokyo" };
        orders(d).consumers.ghost = { vpc: "orders-client-osaka" };
      }),
    ).toEqual([
      'privateLink.orders-api.consumers.again.vpc: VPC "orders-client-tokyo" already consumes this service as "tokyo" [one endpoint per VPC and service is enough; remove the duplicate]',
      'privateLink.orders-api.consumers.ghost.vpc: refers to VPC "orders-client-osaka", which is not declared under vpcs [did you mean "orders-client-tokyo"?]',
    ]);
  });
});
