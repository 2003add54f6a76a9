import { parseServiceName, planServiceDns, zonesFor, endpointServiceName, CROSS_REGION_AWS_SERVICES } from "../../aws/service-catalog";

const zones = (short: string, region = "ap-northeast-1", options = {}) =>
  planServiceDns(short, region, options).zones.map((z) => [z.name, [...z.recordNames]]);

describe("service catalog", () => {
  it("falls back to <svc>.<region>.amazonaws.com for plain services", () => {
    expect(zones("ssm")).toEqual([["ssm.ap-northeast-1.amazonaws.com", ["ssm.ap-northeast-1.amazonaws.com"]]]);
    expect(zones("sqs", "eu-west-1")).toEqual([["sqs.eu-west-1.amazonaws.com", ["sqs.eu-west-1.amazonaws.com"]]]);
  });

  it("gives S3 the apex and wildcard, plus s3-control and s3-accesspoint zones", () => {
    expect(zones("s3")).toEqual([
      ["s3.ap-northeast-1.amazonaws.com", ["s3.ap-northeast-1.amazonaws.com", "*.s3.ap-northeast-1.amazonaws.com"]],
      ["s3-control.ap-northeast-1.amazonaws.com", ["s3-control.ap-northeast-1.amazonaws.com", "*.s3-control.ap-northeast-1.amazonaws.com"]],
      ["s3-accesspoint.ap-northeast-1.amazonaws.com", ["s3-accesspoint.ap-northeast-1.amazonaws.com", "*.s3-accesspoint.ap-northeast-1.amazonaws.com"]],
    ]);
  });

  it("reverses the ECR names (LZA #173) and wildcards dkr", () => {
    expect(zones("ecr.api")).toEqual([["api.ecr.ap-northeast-1.amazonaws.com", ["api.ecr.ap-northeast-1.amazonaws.com"]]]);
    expect(zones("ecr.dkr")).toEqual([["dkr.ecr.ap-northeast-1.amazonaws.com", ["dkr.ecr.ap-northeast-1.amazonaws.com", "*.dkr.ecr.ap-northeast-1.amazonaws.com"]]]);
  });

  it("knows the other quirky names", () => {
    expect(zones("execute-api")[0][1]).toEqual(["execute-api.ap-northeast-1.amazonaws.com", "*.execute-api.ap-northeast-1.amazonaws.com"]);
    expect(zones("kinesis-streams").map((z) => z[0])).toEqual([
      "kinesis.ap-northeast-1.amazonaws.com",
      "data-kinesis.ap-northeast-1.amazonaws.com",
      "control-kinesis.ap-northeast-1.amazonaws.com",
    ]);
    expect(zones("kinesis-firehose").map((z) => z[0])).toEqual(["firehose.ap-northeast-1.amazonaws.com"]);
    expect(zones("ecs-agent").map((z) => z[0])).toEqual(["ecs-a.ap-northeast-1.amazonaws.com"]);
    expect(zones("ecs-telemetry").map((z) => z[0])).toEqual(["ecs-t.ap-northeast-1.amazonaws.com"]);
    expect(zones("eks-auth").map((z) => z[0])).toEqual(["eks-auth.ap-northeast-1.api.aws"]);
    expect(zones("detective").map((z) => z[0])).toEqual(["api.detective.ap-northeast-1.amazonaws.com"]);
    expect(zones("apprunner.requests")).toEqual([]);
  });

  it("uses the partition's DNS suffix", () => {
    expect(zones("ssm", "cn-north-1").map((z) => z[0])).toEqual(["ssm.cn-north-1.amazonaws.com.cn"]);
  });

  it("adds dual-stack names only when asked", () => {
    expect(zones("lambda", "ap-northeast-1", { dualStack: true }).map((z) => z[0])).toEqual([
      "lambda.ap-northeast-1.amazonaws.com",
      "lambda.ap-northeast-1.api.aws",
    ]);
  });

  it("lets the topology override the names", () => {
    expect(zones("ssm", "ap-northeast-1", { dnsNames: ["*.foo.example.internal", "bar.example.internal"] })).toEqual([
      ["foo.example.internal", ["foo.example.internal", "*.foo.example.internal"]],
      ["bar.example.internal", ["bar.example.internal"]],
    ]);
  });

  it("builds service names, including non-com.amazonaws prefixes", () => {
    expect(endpointServiceName("ssm", "ap-northeast-1")).toBe("com.amazonaws.ap-northeast-1.ssm");
    expect(endpointServiceName("notebook", "us-east-1")).toBe("aws.sagemaker.us-east-1.notebook");
  });

  it("parses short and full names and rejects global or foreign-region ones", () => {
    expect(parseServiceName("com.amazonaws.ap-northeast-1.ssm", "ap-northeast-1")).toEqual({ ok: true, short: "ssm" });
    expect(parseServiceName("ecr.dkr", "ap-northeast-1")).toEqual({ ok: true, short: "ecr.dkr" });
    expect(parseServiceName("com.amazonaws.iam", "ap-northeast-1")).toMatchObject({ ok: false, reason: expect.stringContaining("global") });
    expect(parseServiceName("route53", "ap-northeast-1")).toMatchObject({ ok: false, reason: expect.stringContaining("global") });
    expect(parseServiceName("com.amazonaws.us-east-1.ssm", "ap-northeast-1")).toMatchObject({ ok: false, reason: expect.stringContaining("us-east-1") });
  });

  it("groups names by apex, apex first", () => {
    expect(zonesFor(["*.a.example.com", "a.example.com", "b.example.com"])).toEqual([
      { name: "a.example.com", recordNames: ["a.example.com", "*.a.example.com"] },
      { name: "b.example.com", recordNames: ["b.example.com"] },
    ]);
  });

  it("lists the AWS services enabled for cross-region PrivateLink", () => {
    expect([...CROSS_REGION_AWS_SERVICES].sort()).toEqual(
      ["ecr.api", "ecr.dkr", "ecs", "iam", "kinesis-firehose", "kinesisanalytics", "kinesisanalytics-fips", "kms", "kms-fips", "lambda", "route53", "s3"],
    );
  });
});
