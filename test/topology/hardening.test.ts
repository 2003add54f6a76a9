/**
 * Inputs that crashed synth, passed validation and failed at apply, or produced wrong output: each is
 * now supported or a located error (exit 2), never a stack trace.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { App, TerraformStack } from "../../framework/core";
import { VpcEndpoint } from "../../framework/aws";
import { elbName } from "../../aws/names";
import { ValidationError } from "../../modules/errors";
import { named } from "../../modules/naming";
import { loadTopologyText } from "../../topology/load";
import { TopologyError } from "../../topology/problems";
import { DIST, exampleDoc, EXAMPLE, problemsOf, resources, ROOT, synth, tempDir } from "../helpers";

const MAIN = path.join(DIST, "main.js");

function runMain(cwd: string, env: Record<string, string>) {
  return spawnSync(process.execPath, [MAIN], { cwd, encoding: "utf8", env: { ...process.env, CDKTF_OUTDIR: "", TARGET_ENDPOINT: "", ...env } });
}

function loadError(text: string): TopologyError {
  try {
    loadTopologyText(text, "t.yaml");
  } catch (error) {
    if (error instanceof TopologyError) return error;
    throw error;
  }
  throw new Error("no error");
}

describe("PrivateLink combinations", () => {
  it("supports private DNS on a service that does not require acceptance: no accepter, the private DNS resource on the endpoint", () => {
    const doc = exampleDoc();
    const orders = doc.privateLink["orders-api"];
    orders.provider.acceptanceRequired = false;
    orders.provider.privateDnsName = "orders.example.com";
    orders.consumers.tokyo.privateDns = true;
    const tokyo = synth(doc, { hcl: false }).json["consumer-orders-api-tokyo"];
    expect(resources(tokyo, "aws_vpc_endpoint_connection_accepter")).toEqual({});
    expect(resources(tokyo, "aws_vpc_endpoint_private_dns")).toEqual({
      "orders-api-tokyo": expect.objectContaining({ private_dns_enabled: true, vpc_endpoint_id: "${aws_vpc_endpoint.orders-api-tokyo.id}" }),
    });
  });

  it("rejects private DNS with manual acceptance, and a consumer admitting no client, with the fix", () => {
    expect(
      problemsOf((d) => {
        const orders = d.privateLink["orders-api"];
        orders.provider.privateDnsName = "orders.example.com";
        Object.assign(orders.consumers.tokyo, { acceptance: "manual", privateDns: true });
        orders.consumers.virginia.allowedCidrs = [];
      }),
    ).toEqual([
      "privateLink.orders-api.consumers.virginia.allowedCidrs: must list at least one client CIDR: an endpoint nobody may reach is useless; omit allowedCidrs to admit the consumer VPC",
      "privateLink.orders-api.consumers.tokyo.privateDns: private DNS can be enabled only once the owner has accepted the connection, and with acceptance: manual that happens outside this deployment [use acceptance: auto (the consumer stack accepts, then enables private DNS), or keep manual and enable private DNS after the owner accepted (aws ec2 modify-vpc-endpoint --vpc-endpoint-id <id> --private-dns-enabled)]",
    ]);
  });
});

describe("YAML", () => {
  it("accepts merge keys (<<: *anchor)", () => {
    const text = fs.readFileSync(EXAMPLE, "utf8").replace(
      /^  orders-client-virginia:\n    account: workload-osaka\n    region: us-east-1\n/m,
      "  orders-client-virginia:\n    <<: *virginia\n",
    ).replace(/^accounts:/m, "x-defaults:\n  virginia: &virginia { account: workload-osaka, region: us-east-1 }\naccounts:");
    // x-defaults is not a topology key: the merge works, and the leftover key is reported as unknown, nothing else.
    const error = loadError(text);
    expect(error.problems.map((p) => `${p.path.join(".")}: ${p.message}`)).toEqual(['x-defaults: unknown key "x-defaults"']);
  });

  it("stops a billion-laughs document fast, with its line, as a problem", () => {
    let lol = 'name: lol\nlol0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let i = 1; i < 10; i++) lol += `lol${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(",")}]\n`;
    const started = Date.now();
    const error = loadError(lol);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error.problems).toEqual([
      expect.objectContaining({ line: 3, message: 'its aliases expand to more than 1000 copies (a "billion laughs" document), which is refused' }),
    ]);
  });
});

describe("names", () => {
  it("suggests the catalog name for an unknown service and requires unlisted: true for a service the release does not know", () => {
    expect(
      problemsOf((d) => {
        d.hubs.tokyo.services.push("secretmanager", { name: "brand-new-service", unlisted: true });
        d.privateLink.storage = { awsService: { name: "s4", region: "us-east-1" }, consumers: { tokyo: { vpc: "orders-client-tokyo" } } };
      }),
    ).toEqual([
      'hubs.tokyo.services[4]: "secretmanager" is not an AWS interface endpoint service this release knows [did you mean "secretsmanager"? If AWS added it after this release, declare it explicitly: { name: secretmanager, unlisted: true }]',
      'privateLink.storage.awsService.name: "s4" is not an AWS interface endpoint service this release knows [did you mean "s3"? If AWS added it after this release, declare it explicitly: unlisted: true]',
    ]);
  });

  it("names a record address collision with both of its sources", () => {
    expect(
      problemsOf((d) => d.hubs.tokyo.services.push({ name: "foo", unlisted: true, dnsNames: ["*.foo.example.com", "wildcard.foo.example.com"] })),
    ).toEqual([
      "hubs.tokyo.services[4].dnsNames[1]: the record wildcard.foo.example.com and the record *.foo.example.com (hubs.tokyo.services[4].dnsNames[0]) would both be aws_route53_record.wildcard_foo_example_com in the hub stack: one would silently replace the other [drop one of the two names (a wildcard *.x is written wildcard.x in resource addresses)]",
    ]);
  });

  it("refuses, at synth, two constructs of one stack that map to one address, naming both", () => {
    const stack = new TerraformStack(new App({ outdir: tempDir("names") }), "s");
    named(new VpcEndpoint(stack, "first", { vpcId: "vpc-1", serviceName: "a" }), "ssm");
    const error = (() => {
      try {
        named(new VpcEndpoint(stack, "second", { vpcId: "vpc-1", serviceName: "b" }), "SSM");
      } catch (e) {
        return e as ValidationError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error!.message).toBe(
      "s/second: its Terraform address aws_vpc_endpoint.ssm is also the address of s/first: the two sources map to one resource, and one would silently replace the other; rename one of them",
    );
  });

  it("gives long load balancer and target group names a stable hash, never internal-, and checks uniqueness per account and region", () => {
    const doc = exampleDoc();
    const orders = doc.privateLink["orders-api"];
    doc.privateLink["payments-settlement-reconciliation-v1"] = orders;
    doc.privateLink["payments-settlement-reconciliation-v2"] = JSON.parse(JSON.stringify(orders));
    doc.privateLink["internal-api"] = JSON.parse(JSON.stringify(orders));
    delete doc.privateLink["orders-api"];
    const out = synth(doc, { hcl: false });
    const names = ["payments-settlement-reconciliation-v1", "payments-settlement-reconciliation-v2", "internal-api"].map((s) => {
      const service = out.json[`service-${s}`];
      return [Object.values<any>(resources(service, "aws_lb"))[0].name, Object.values<any>(resources(service, "aws_lb_target_group"))[0].name];
    });
    expect(names).toEqual([
      [elbName("payments-settlement-reconciliation-v1"), elbName("payments-settlement-reconciliation-v1", "-80")],
      [elbName("payments-settlement-reconciliation-v2"), elbName("payments-settlement-reconciliation-v2", "-80")],
      ["pl-internal-api", "pl-internal-api-80"],
    ]);
    expect(new Set(names.flat()).size).toBe(6);
    for (const name of names.flat()) expect(name).toMatch(/^(?!internal-)[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/);
    expect(names[0][0]).toMatch(/^payments-settlement-recon-[0-9a-f]{6}$/);

    expect(
      problemsOf((d) => {
        d.privateLink["pl-internal-api"] = d.privateLink["orders-api"];
        d.privateLink["internal-api"] = JSON.parse(JSON.stringify(d.privateLink["orders-api"]));
        delete d.privateLink["orders-api"];
        for (const s of Object.values<any>(d.privateLink)) s.consumers = {};
      }),
    ).toEqual([
      'privateLink.internal-api: its load balancer would be named pl-internal-api, like the one of service "pl-internal-api" in the same account and region: AWS requires unique names there [rename one of the two services]',
      'privateLink.internal-api: its target group would be named pl-internal-api-80, like the one of service "pl-internal-api" in the same account and region: AWS requires unique names there [rename one of the two services]',
    ]);
  });

  it("says what is wrong with a path-traversal name: the name, not its value", () => {
    expect(problemsOf((d) => (d.spokes = { "../../etc": d.spokes["app-tokyo"] }))).toEqual([
      'spokes["../../etc"]: the name "../../etc" is not valid: spoke names use lowercase letters, digits and hyphens, start with a letter, at most 40 characters [rename it, e.g. etc]',
    ]);
  });

  it("keeps AWS's tag character set and this tool's own tags", () => {
    expect(problemsOf((d) => (d.tags = { "managed-by": "me", "aws:created": "x", team: "net'works" }))).toEqual([
      'tags["aws:created"]: the name "aws:created" is not valid: tag keys are 1-128 letters, digits, spaces and _ . : / = + - @, not starting with aws: (AWS\'s own) [rename it]',
      "tags.team: tag values are at most 256 letters, digits, spaces and _ . : / = + - @ (AWS's character set)",
      "tags.managed-by: is a default tag of this tool (managed-by = privatelink-cdktf, privatelink-cdktf:topology, privatelink-cdktf:stack), which identifies what it manages [use another key]",
    ]);
  });
});

describe("partitions", () => {
  it("builds China and GovCloud hubs with their partition's service names, DNS names and ARNs", () => {
    const doc = exampleDoc();
    delete doc.privateLink;
    delete doc.onPrem;
    delete doc.hubs.tokyo.resolver;
    doc.spokes = {};
    const china = { account: "network-hub", region: "cn-north-1", vpcId: "vpc-0a1b2c3d4e5f60099", cidr: "10.9.0.0/16", subnets: [{ id: "subnet-0a1b2c3d4e5f60991", az: "cn-north-1a", cidr: "10.9.1.0/24" }, { id: "subnet-0a1b2c3d4e5f60992", az: "cn-north-1b", cidr: "10.9.2.0/24" }] };
    doc.accounts["network-hub"].deployRoleArn = "arn:aws-cn:iam::111122223333:role/privatelink-deployer";
    doc.vpcs = { china };
    doc.hubs = { beijing: { vpc: "china", services: ["ecr.api", "ssm", "transcribe"] } };
    const hub = synth(doc, { hcl: false }).json["hub-beijing"];
    expect(Object.values<any>(resources(hub, "aws_vpc_endpoint")).map((e) => e.service_name).sort()).toEqual([
      "cn.com.amazonaws.cn-north-1.ecr.api",
      "cn.com.amazonaws.cn-north-1.transcribe.cn",
      "com.amazonaws.cn-north-1.ssm",
    ]);
    expect(Object.values<any>(resources(hub, "aws_route53_zone")).map((z) => z.name).sort()).toEqual([
      "api.ecr.cn-north-1.amazonaws.com.cn",
      "ssm.cn-north-1.amazonaws.com.cn",
      "transcribe.cn-north-1.amazonaws.com.cn",
    ]);
    expect(
      problemsOf((d) => (d.backend = { kind: "s3", bucket: "acme-state", region: "cn-north-1", roleArn: "arn:aws:iam::111122223333:role/state" })),
    ).toEqual([
      "backend.roleArn: is a role of partition aws, but the state bucket's region cn-north-1 is in partition aws-cn: the role cannot be assumed there [use a role of partition aws-cn (arn:aws-cn:iam::<account>:role/<name>)]",
    ]);
  });
});

describe("output and state locations", () => {
  it("creates a missing parent of CDKTF_OUTDIR", () => {
    const cwd = tempDir("outdir");
    const run = runMain(cwd, { TOPOLOGY: EXAMPLE, CDKTF_OUTDIR: "build/deep/out" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(fs.existsSync(path.join(cwd, "build", "deep", "out", "stacks", "hub-tokyo", "cdk.tf.json"))).toBe(true);
  });

  it("refuses a state directory inside the output directory (a re-synth would delete it): exit 2, nothing written", () => {
    const cwd = tempDir("state-in-out");
    const doc = exampleDoc();
    doc.backend = { kind: "local", directory: "cdktf.out/state" };
    fs.writeFileSync(path.join(cwd, "t.json"), JSON.stringify(doc));
    const run = runMain(cwd, { TOPOLOGY: "t.json" });
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(`backend.directory: the state directory ${path.join(cwd, "cdktf.out", "state")} is inside the output directory ${path.join(cwd, "cdktf.out")}, which every synth replaces: the state would be lost`);
    expect(fs.readdirSync(cwd)).toEqual(["t.json"]);
  });

  it("keys local state by topology, so two topologies synthesized from one directory never share a state file", () => {
    const cwd = tempDir("two");
    const other = exampleDoc();
    other.name = "other-estate";
    const a = synth(exampleDoc(), { hcl: false, outdir: path.join(cwd, "a") });
    const b = synth(other, { hcl: false, outdir: path.join(cwd, "b") });
    expect(a.json["hub-tokyo"].terraform.backend.local.path).toBe("../../../terraform.privatelink-example.hub-tokyo.tfstate");
    expect(b.json["hub-tokyo"].terraform.backend.local.path).toBe("../../../terraform.other-estate.hub-tokyo.tfstate");
  });

  it("tells where to move a state file of the layout before 0.2, and never moves it itself", () => {
    const cwd = tempDir("older");
    fs.writeFileSync(path.join(cwd, "terraform.hub-tokyo.tfstate"), "{}");
    const run = runMain(cwd, { TOPOLOGY: EXAMPLE });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("warning: the state of hub-tokyo is at terraform.hub-tokyo.tfstate, the layout before 0.2");
    expect(run.stderr).toContain("mv terraform.hub-tokyo.tfstate terraform.privatelink-example.hub-tokyo.tfstate");
    expect(fs.readFileSync(path.join(cwd, "terraform.hub-tokyo.tfstate"), "utf8")).toBe("{}");
  });

  it("requires a Terraform version in every stack", () => {
    const out = synth(exampleDoc(), { hcl: false });
    expect(Object.values<any>(out.json).map((s) => s.terraform.required_version)).toEqual(out.stacks.map(() => ">= 1.10.0, < 2.0.0"));
  });
});

describe("project hygiene", () => {
  it("ships the license its package.json names", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    const license = fs.readFileSync(path.join(ROOT, "LICENSE"), "utf8");
    expect(manifest.license).toBe("Apache-2.0");
    expect(license).toMatch(/^\s+Apache License\n\s+Version 2\.0, January 2004\n/);
    expect(license).toContain("END OF TERMS AND CONDITIONS");
  });
});
