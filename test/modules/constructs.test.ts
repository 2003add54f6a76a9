/**
 * The constructs as a library: typed validation errors with the construct path, and attributes that
 * are real tokens usable from another stack (proved by synthesizing two stacks and validating both
 * with terraform).
 */
import * as fs from "fs";
import * as path from "path";
import { App, Fn, LocalBackend, TerraformOutput, TerraformStack } from "../../framework/core";
import { AccountRegionProvider } from "../../modules/aws-provider";
import { ConsumerEndpoint } from "../../modules/consumer-endpoint";
import { CentralizedEndpoint } from "../../modules/centralized-endpoint";
import { ValidationError } from "../../modules/errors";
import { NetworkLoadBalancer } from "../../modules/network-load-balancer";
import { ResolverInboundEndpoint } from "../../modules/resolver-inbound";
import { planServiceDns } from "../../aws/service-catalog";
import { terraformEnv, validateDirs } from "../../tools/terraform-env";
import { tempDir } from "../helpers";

const account = { name: "hub", id: "111122223333", deployRoleArn: "arn:aws:iam::111122223333:role/deployer" };

function stack(app: App, id: string): { stack: TerraformStack; provider: AccountRegionProvider } {
  const stack = new TerraformStack(app, id);
  new LocalBackend(stack, { path: `../../${id}.tfstate` });
  return { stack, provider: new AccountRegionProvider(stack, "provider", { account, region: "ap-northeast-1" }) };
}

describe("ValidationError", () => {
  it("names the construct's path and every problem, and is typed", () => {
    const { stack: hub, provider } = stack(new App({ outdir: tempDir("cx") }), "hub");
    let error: unknown;
    try {
      new NetworkLoadBalancer(hub, "nlb", {
        provider: provider.provider,
        name: "orders",
        vpcId: "vpc-0a1b2c3d",
        vpcCidr: "10.0.0.0/16",
        subnetIds: ["subnet-0a1b2c3d"],
        availabilityZones: 1,
        listeners: [],
        targets: { type: "ip", ids: [] },
        clientCidrs: ["10.1.0.0/16"],
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const v = error as ValidationError;
    expect(v.constructPath).toBe("hub/nlb");
    expect(v.problems).toEqual([
      "subnetIds span 1 availability zone(s); at least two are needed (or allowSingleAz)",
      "listeners is empty",
      "targets.ids is empty",
    ]);
    expect(v.message).toBe(`hub/nlb: ${v.problems.join("; ")}`);
  });

  it("is what the provider construct throws for a role of another account", () => {
    const s = new TerraformStack(new App({ outdir: tempDir("cx") }), "s");
    const error = (() => {
      try {
        new AccountRegionProvider(s, "p", { account: { ...account, id: "999999999999" }, region: "ap-northest-1x" });
      } catch (e) {
        return e as ValidationError;
      }
      throw new Error("no error");
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.constructPath).toBe("s/p");
    expect(error.problems).toEqual([
      "account.deployRoleArn arn:aws:iam::111122223333:role/deployer is not a role of account 999999999999",
      "region ap-northest-1x is not a region code such as ap-northeast-1",
    ]);
  });
});

describe("attributes are tokens usable from another stack", () => {
  it("ResolverInboundEndpoint.ips, ConsumerEndpoint.dnsNames and CentralizedEndpoint zone ids resolve through remote state, and terraform validates both stacks", async () => {
    const outdir = path.join(tempDir("cx"), "out");
    const app = new App({ outdir });
    const a = stack(app, "producer");
    const resolver = new ResolverInboundEndpoint(a.stack, "resolver", {
      provider: a.provider.provider,
      name: "hub",
      vpcId: "vpc-0a1b2c3d",
      addresses: [
        { subnetId: "subnet-0a1b2c3d", availabilityZone: "ap-northeast-1a", ip: "10.0.1.53" },
        { subnetId: "subnet-0a1b2c3e", availabilityZone: "ap-northeast-1c" },
      ],
      sourceCidrs: ["192.168.0.0/16"],
    });
    const consumer = new ConsumerEndpoint(a.stack, "consumer", {
      provider: a.provider.provider,
      name: "orders",
      vpcId: "vpc-0a1b2c3d",
      subnetIds: ["subnet-0a1b2c3d"],
      serviceName: "com.amazonaws.vpce.ap-northeast-1.vpce-svc-0a1b2c3d4e5f60718",
      ports: [443],
      clientCidrs: ["10.0.0.0/16"],
    });
    const ssm = new CentralizedEndpoint(a.stack, "ssm", {
      provider: a.provider.provider,
      vpcId: "vpc-0a1b2c3d",
      vpcRegion: "ap-northeast-1",
      subnetIds: ["subnet-0a1b2c3d"],
      securityGroupIds: ["sg-0a1b2c3d"],
      service: planServiceDns("ssm", "ap-northeast-1"),
      hubName: "hub",
    });
    const b = stack(app, "reader");
    new TerraformOutput(b.stack, "ips", { value: resolver.ips });
    new TerraformOutput(b.stack, "first_ip", { value: Fn.element(resolver.ips, 0) });
    new TerraformOutput(b.stack, "dns_names", { value: consumer.dnsNames });
    new TerraformOutput(b.stack, "regional", { value: Fn.element(consumer.dnsNames, 0) });
    new TerraformOutput(b.stack, "zone", { value: ssm.zones[0].zoneId });
    app.synth();

    const reader = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "reader", "cdk.tf.json"), "utf8"));
    const remote = "data.terraform_remote_state.cross-stack-reference-input-producer.outputs";
    for (const name of ["ips", "first_ip", "dns_names", "regional", "zone"]) expect(reader.output[name].value).toContain(remote);
    expect(reader.output.dns_names.value).toMatch(/\[\*\]\.dns_name\}$/); // a splat keeps dns_entry's order: regional name first
    expect(Object.keys(reader.data.terraform_remote_state)).toEqual(["cross-stack-reference-input-producer"]);

    const env = terraformEnv(tempDir("tf"));
    const results = await validateDirs(env, ["producer", "reader"].map((s) => path.join(outdir, "stacks", s)));
    expect(results.map((r) => [r.errors, r.warnings, r.diagnostics.map((d) => d.summary)])).toEqual([
      [0, 0, []],
      [0, 0, []],
    ]);
  }, 120_000);
});
