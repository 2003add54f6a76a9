/**
 * `privatelink synth|plan|deploy|destroy|lock` without an emulator: usage errors, the lock file from a
 * filesystem mirror, and the pull-request summary of plans. (Deploy, plan and destroy against the
 * emulator are in the end-to-end run, day two included.)
 */
import * as fs from "fs";
import * as path from "path";
import { main } from "../../cli/privatelink";
import { summarize, summaryMarkdown } from "../../cli/plan-summary";
import { terraformEnv } from "../../tools/terraform-env";
import { EXAMPLE, tempDir } from "../helpers";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe("privatelink operations: usage", () => {
  it("refuses deploy and destroy without --auto-approve off a terminal, and bad options, with exit 2 and nothing written", async () => {
    const work = tempDir("operate");
    const env = { ...process.env, TOPOLOGY: EXAMPLE, CDKTF_OUTDIR: path.join(work, "out") };
    for (const [args, message] of [
      [["deploy"], "not on a terminal, pass --auto-approve"],
      [["destroy"], "not on a terminal, pass --auto-approve"],
      [["deploy", "--auto-approve", "--parallel", "0"], "--parallel must be a whole number from 1 to 64"],
      [["plan", "--summary-md"], "--summary-md needs a value"],
      [["plan", "--what"], "unknown option --what"],
    ] as const) {
      const c = capture();
      expect(await main([...args], env, c.io)).toBe(2);
      expect(c.err.join("")).toContain(message);
    }
    expect(fs.existsSync(path.join(work, "out"))).toBe(false);
  });

  it("names an unknown stack and lists the stacks", async () => {
    const work = tempDir("operate");
    const c = capture();
    const topology = path.join(work, "topology.yaml");
    fs.copyFileSync(EXAMPLE, topology);
    const code = await main(["plan", "--stacks", "hub-osaka"], { ...process.env, TOPOLOGY: topology, CDKTF_OUTDIR: path.join(work, "out"), PRIVATELINK_ESTATE: path.join(work, "estate.json") }, c.io);
    expect(code).toBe(2);
    expect(c.err.join("")).toContain("--stacks: no stack hub-osaka; stacks: consumer-orders-api-tokyo, consumer-orders-api-virginia, hub-tokyo, service-orders-api, spoke-app-osaka, spoke-app-tokyo");
    // Refused before anything ran: no lock file written, no log.
    expect(fs.existsSync(path.join(work, ".terraform.lock.hcl"))).toBe(false);
    expect(fs.existsSync(path.join(work, "out", "logs"))).toBe(false);
  });

  it("lock writes the project's lock file from the mirror terraform is configured with (TF_CLI_CONFIG_FILE), and synth seeds every stack with it", async () => {
    const work = tempDir("operate");
    const tf = terraformEnv(path.join(work, "tf"));
    const topology = path.join(work, "topology.yaml");
    fs.copyFileSync(EXAMPLE, topology);
    const env = { ...process.env, TOPOLOGY: topology, TF_CLI_CONFIG_FILE: tf.cliConfig, CDKTF_OUTDIR: path.join(work, "out") };
    const c = capture();
    expect(await main(["lock"], env, c.io)).toBe(0);
    const lock = fs.readFileSync(path.join(work, ".terraform.lock.hcl"), "utf8");
    expect(lock).toMatch(new RegExp(`provider "registry.terraform.io/hashicorp/aws" \\{\\n  version     = "${tf.providerVersions[0].replace(/\./g, "\\.")}"\\n  constraints = ">= 5.100.0, < 7.0.0"`));
    const s = capture();
    expect(await main(["synth"], env, s.io)).toBe(0);
    for (const stack of fs.readdirSync(path.join(work, "out", "stacks"))) {
      expect(fs.readFileSync(path.join(work, "out", "stacks", stack, ".terraform.lock.hcl"), "utf8")).toBe(lock);
    }
    // The estate record is written next to the topology.
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(work, "topology.estate.json"), "utf8")).stacks)).toHaveLength(6);
  }, 120_000);

  it("lock --platform hashes every platform the mirror has, offline, and names the ones it could not hash (exit 1 when asked for by name, a warning by default)", async () => {
    const work = tempDir("lock-platforms");
    const tf = terraformEnv(path.join(work, "tf"));
    const version = tf.providerVersions[0];
    // A mirror with this machine's platform and darwin_arm64 (the same files hard-linked, plus one more: another hash).
    const source = path.join(tf.mirror, "registry.terraform.io", "hashicorp", "aws", version, "linux_amd64");
    const mirror = path.join(work, "mirror");
    for (const platform of ["linux_amd64", "darwin_arm64"]) {
      const dir = path.join(mirror, "registry.terraform.io", "hashicorp", "aws", version, platform);
      fs.mkdirSync(dir, { recursive: true });
      for (const file of fs.readdirSync(source)) fs.linkSync(path.join(source, file), path.join(dir, file));
    }
    fs.writeFileSync(path.join(mirror, "registry.terraform.io", "hashicorp", "aws", version, "darwin_arm64", "NOTICE.txt"), "another build\n");
    const config = path.join(work, "terraformrc");
    fs.writeFileSync(config, `provider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(mirror)}\n  }\n}\n`);
    const topology = path.join(work, "topology.yaml");
    fs.copyFileSync(EXAMPLE, topology);
    // A symbolic link where the lock goes is replaced, never written through.
    fs.symlinkSync(path.join(work, "outside.hcl"), path.join(work, ".terraform.lock.hcl"));
    const env = { ...process.env, TOPOLOGY: topology, TF_CLI_CONFIG_FILE: config, CDKTF_OUTDIR: path.join(work, "out"), HOME: work };
    const c = capture();
    expect(await main(["lock", "--platform", "linux_amd64", "--platform", "darwin_arm64", "--platform", "windows_amd64"], env, c.io)).toBe(1);
    expect(c.out.join("")).toContain(`hashicorp/aws ${version} for linux_amd64, darwin_arm64`);
    expect(c.err.join("")).toMatch(/could not hash windows_amd64: not in the filesystem mirror .* and the registry failed/);
    const lock = fs.readFileSync(path.join(work, ".terraform.lock.hcl"), "utf8");
    expect(fs.lstatSync(path.join(work, ".terraform.lock.hcl")).isSymbolicLink()).toBe(false);
    expect(fs.existsSync(path.join(work, "outside.hcl"))).toBe(false);
    expect(lock.match(/"h1:[^"]+"/g)).toHaveLength(2);
    // The default set: what the mirror lacks is a warning.
    const d = capture();
    expect(await main(["lock"], env, d.io)).toBe(0);
    expect(d.err.join("")).toContain("could not hash linux_arm64, darwin_amd64");
  }, 180_000);
});

describe("the pull-request summary", () => {
  const places = new Map([
    ["network_hub_ap_northeast_1", { account: "network-hub", region: "ap-northeast-1" }],
    ["owner_ap_northeast_1", { account: "owner", region: "ap-northeast-1" }],
  ]);
  const config = (resources: Array<[string, string]>) => ({ root_module: { resources: resources.map(([address, alias]) => ({ address, provider_config_key: `aws.${alias}` })) } });
  const hubPlan = {
    configuration: config([
      ["aws_vpc_endpoint.ssm", "network_hub_ap_northeast_1"],
      ["aws_vpc_security_group_ingress_rule.in_10_3", "network_hub_ap_northeast_1"],
      ["aws_route53_resolver_endpoint.inbound", "network_hub_ap_northeast_1"],
    ]),
    resource_changes: [
      { address: "aws_vpc_endpoint.ssm", type: "aws_vpc_endpoint", mode: "managed", change: { actions: ["delete", "create"], replace_paths: [["subnet_ids"]], before: { service_name: "com.amazonaws.ap-northeast-1.ssm", private_dns_enabled: false }, after: { service_name: "com.amazonaws.ap-northeast-1.ssm", private_dns_enabled: true } } },
      { address: "aws_vpc_security_group_ingress_rule.in_10_3", type: "aws_vpc_security_group_ingress_rule", mode: "managed", change: { actions: ["create"], before: null, after: { ip_protocol: "tcp", from_port: 443, to_port: 443, cidr_ipv4: "10.3.0.0/16" } } },
      { address: "aws_vpc_security_group_ingress_rule.in_10_2", type: "aws_vpc_security_group_ingress_rule", mode: "managed", change: { actions: ["delete"], before: { ip_protocol: "tcp", from_port: 443, to_port: 443, cidr_ipv4: "10.2.0.0/16" }, after: null } },
      { address: "aws_route53_resolver_endpoint.inbound", type: "aws_route53_resolver_endpoint", mode: "managed", change: { actions: ["update"], before: { ip_address: [{ subnet_id: "subnet-1", ip: "10.0.1.53" }] }, after: { ip_address: [{ subnet_id: "subnet-1", ip: "10.0.1.54" }] } } },
      { address: "data.aws_vpc.hub", type: "aws_vpc", mode: "data", change: { actions: ["read"] } },
      { address: "aws_route53_zone.s3", type: "aws_route53_zone", mode: "managed", change: { actions: ["no-op"] } },
    ],
  };
  const spokePlan = {
    configuration: config([]),
    resource_changes: [
      { address: "terraform_data.phz_ssm[0]", type: "terraform_data", mode: "managed", change: { actions: ["delete"], before: { input: { zone_name: "ssm.ap-northeast-1.amazonaws.com", vpc_id: "vpc-0a1b2c3d4e5f60003", vpc_region: "ap-northeast-3" } }, after: null } },
    ],
  };
  const servicePlan = {
    configuration: config([["aws_vpc_endpoint_service.orders", "owner_ap_northeast_1"]]),
    resource_changes: [
      { address: "aws_vpc_endpoint_service.orders", type: "aws_vpc_endpoint_service", mode: "managed", change: { actions: ["update"], before: { acceptance_required: true, allowed_principals: ["arn:aws:iam::222233334444:root"] }, after: { acceptance_required: false, allowed_principals: ["arn:aws:iam::222233334444:root", "arn:aws:iam::555566667777:root"] } } },
    ],
  };

  const summary = summarize([
    // The hub's one provider also places what the configuration no longer has (the removed rule).
    { stack: "hub-tokyo", plan: hubPlan, places: new Map([...places].slice(0, 1)) },
    { stack: "spoke-app-osaka", plan: spokePlan, places: new Map(), retired: true },
    { stack: "service-orders", plan: servicePlan, places },
  ]);

  it("counts per stack and account/region, destructive changes first with their reasons", () => {
    expect(summary.totals).toEqual({ create: 1, update: 2, delete: 2, replace: 1, import: 0 });
    expect(summary.stacks.map((s) => [s.account, s.region, s.stack, s.retired, s.counts])).toEqual([
      ["(terraform)", "-", "spoke-app-osaka", true, { create: 0, update: 0, delete: 1, replace: 0, import: 0 }],
      ["network-hub", "ap-northeast-1", "hub-tokyo", false, { create: 1, update: 1, delete: 1, replace: 1, import: 0 }],
      ["owner", "ap-northeast-1", "service-orders", false, { create: 0, update: 1, delete: 0, replace: 0, import: 0 }],
    ]);
    expect(summary.destructive).toEqual([
      { stack: "hub-tokyo", address: "aws_vpc_endpoint.ssm", action: "replace", because: ["subnet_ids"] },
      { stack: "hub-tokyo", address: "aws_vpc_security_group_ingress_rule.in_10_2", action: "delete", because: [] },
      { stack: "spoke-app-osaka", address: "terraform_data.phz_ssm[0]", action: "delete", because: [] },
    ]);
  });

  it("lists what network reviewers look for", () => {
    expect(summary.network.map((n) => `${n.kind} ${n.change}: ${n.detail}`)).toEqual([
      "private-dns changed: private_dns_enabled false -> true (com.amazonaws.ap-northeast-1.ssm)",
      "ingress added: tcp/443-443 from 10.3.0.0/16",
      "ingress removed: tcp/443-443 from 10.2.0.0/16",
      "resolver-addresses changed: subnet-1:10.0.1.53 -> subnet-1:10.0.1.54",
      "zone-association removed: ssm.ap-northeast-1.amazonaws.com <-> vpc-0a1b2c3d4e5f60003 (ap-northeast-3)",
      "principals added: arn:aws:iam::555566667777:root",
      "acceptance changed: acceptance_required true -> false",
    ]);
    const outcome = (stack: string, counts: Partial<Record<"create" | "update" | "delete" | "replace", number>>, retired = false) => ({
      stack,
      status: "changes" as const,
      counts: { create: 0, update: 0, delete: 0, replace: 0, import: 0, ...counts },
      retired,
    });
    const md = summaryMarkdown({
      outcomes: [outcome("hub-tokyo", { create: 1, update: 1, delete: 1, replace: 1 }), outcome("spoke-app-osaka", { delete: 1 }, true), outcome("service-orders", { update: 1 }), { stack: "consumer-x", status: "no-changes", counts: { create: 0, update: 0, delete: 0, replace: 0, import: 0 } }],
      summary,
      graph: { stacks: [], edges: [] },
    });
    expect(md.split("\n")[0]).toBe("## privatelink plan: 1 to create, 2 to update, 1 to replace, 2 to delete");
    expect(md.indexOf("### Destructive changes")).toBeLessThan(md.indexOf("### Network changes"));
    expect(md).toContain("| hub-tokyo | `aws_vpc_endpoint.ssm` | **replace** | `subnet_ids` |");
    expect(md).toContain("| (terraform) | - | spoke-app-osaka (retired) | 0 | 0 | 0 | 1 |");
    expect(md).toContain("| consumer-x | no changes | 0 | 0 | 0 | 0 |  |");
  });
});
