import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { exampleDoc, resources, ROOT, synth, Synthesized, tempDir } from "../helpers";

const ZONE_ID = '${try(tostring(local.upstream_hub-tokyo["zone_ids"]["ssm.ap-northeast-1.amazonaws.com"]), "(pending: not in hub-tokyo\'s state yet: ssm.ap-northeast-1.amazonaws.com)")}';
const ASSET = "assets/phz-handshake/protocol-1/phz-handshake.cjs";

describe("spoke stack (script mode)", () => {
  let out: Synthesized;
  let osaka: any;
  beforeAll(() => {
    out = synth();
    osaka = out.json["spoke-app-osaka"];
  });

  it("joins every hub zone with one terraform_data per (zone, VPC) pair", () => {
    const pairs = resources(osaka, "terraform_data");
    expect(Object.keys(pairs).sort()).toEqual([
      "phz_ec2messages_ap-northeast-1_amazonaws_com",
      "phz_s3-accesspoint_ap-northeast-1_amazonaws_com",
      "phz_s3-control_ap-northeast-1_amazonaws_com",
      "phz_s3_ap-northeast-1_amazonaws_com",
      "phz_ssm_ap-northeast-1_amazonaws_com",
      "phz_ssmmessages_ap-northeast-1_amazonaws_com",
    ]);
  });

  it("takes zone ids from the hub's zone_ids output when its state exists, and the VPC from a plan-time lookup in the spoke account", () => {
    const pair = resources(osaka, "terraform_data")["phz_ssm_ap-northeast-1_amazonaws_com"];
    expect(pair.input).toEqual({
      zone_id: ZONE_ID,
      zone_name: "ssm.ap-northeast-1.amazonaws.com",
      vpc_id: "${data.aws_vpc.spoke.id}",
      vpc_region: "ap-northeast-3",
      zone_role_arn: "arn:aws:iam::111122223333:role/privatelink-deployer",
      vpc_role_arn: "arn:aws:iam::333344445555:role/privatelink-deployer",
    });
    expect(osaka.data.aws_vpc.spoke).toMatchObject({ id: "vpc-0a1b2c3d4e5f60003", provider: "aws.workload_osaka_ap_northeast_3" });
    expect(osaka.provider.aws.map((p: any) => [p.alias, p.region, p.assume_role[0].role_arn])).toEqual([
      ["workload_osaka_ap_northeast_3", "ap-northeast-3", "arn:aws:iam::333344445555:role/privatelink-deployer"],
    ]);
    // The hub's state file read directly: no state, an empty file or a half-written one is "no outputs", never an error.
    expect(osaka.data.terraform_remote_state).toBeUndefined();
    expect(osaka.locals).toEqual({
      "upstream_hub-tokyo": '${try({ for name, output in jsondecode(file("../../../terraform.privatelink-example.hub-tokyo.tfstate")).outputs : name => output.value }, {})}',
    });
    // No cdktf cross-stack outputs: the hub's own zone_ids output is the interface.
    expect(Object.keys(out.json["hub-tokyo"].output).filter((o) => o.startsWith("cross-stack-output"))).toEqual([]);
  });

  it("refuses at apply, never at plan, to associate a zone the hub's state does not have yet", () => {
    const pair = resources(osaka, "terraform_data")["phz_ssm_ap-northeast-1_amazonaws_com"];
    expect(pair.lifecycle.precondition).toEqual([
      {
        condition: '${can(tostring(local.upstream_hub-tokyo["zone_ids"]["ssm.ap-northeast-1.amazonaws.com"])) || timestamp() == "deferred until apply"}',
        error_message: "hub-tokyo has no zone ssm.ap-northeast-1.amazonaws.com in its state yet: apply hub-tokyo first (privatelink deploy applies stacks in dependency order). Nothing was associated.",
      },
    ]);
  });

  it("replaces a pair only when the pair itself changes (zone, VPC, region), not on role changes", () => {
    const pair = resources(osaka, "terraform_data")["phz_ssm_ap-northeast-1_amazonaws_com"];
    expect(Object.keys(pair.triggers_replace).sort()).toEqual(["vpc_id", "vpc_region", "zone_id"]);
    expect(pair.triggers_replace.zone_id).toBe(pair.input.zone_id);
  });

  it("runs associate on create and disassociate on destroy, through node, with only self references", () => {
    const pair = resources(osaka, "terraform_data")["phz_ssm_ap-northeast-1_amazonaws_com"];
    const [create, destroy] = pair.provisioner.map((p: any) => p["local-exec"]);
    const environment = {
      PHZ_ZONE_ID: "${self.input.zone_id}",
      PHZ_ZONE_NAME: "${self.input.zone_name}",
      PHZ_VPC_ID: "${self.input.vpc_id}",
      PHZ_VPC_REGION: "${self.input.vpc_region}",
      PHZ_ZONE_ROLE_ARN: "${self.input.zone_role_arn}",
      PHZ_VPC_ROLE_ARN: "${self.input.vpc_role_arn}",
    };
    expect(create).toEqual({ interpreter: ["node", `\${path.module}/${ASSET}`], command: "associate", environment });
    expect(destroy).toEqual({ interpreter: ["node", `\${path.module}/${ASSET}`], command: "disassociate", environment, when: "destroy" });
    expect(JSON.stringify(destroy)).not.toMatch(/\$\{(?!self\.|path\.module)/);
  });

  it("ships the handshake as a self-contained asset that runs with plain node outside this repository", () => {
    const asset = path.join(out.outdir, "stacks", "spoke-app-osaka", ASSET);
    expect(fs.readFileSync(asset)).toEqual(fs.readFileSync(path.join(ROOT, "dist", "assets", "phz-handshake.cjs")));
    const elsewhere = tempDir("pipeline");
    fs.copyFileSync(asset, path.join(elsewhere, "phz.cjs"));
    const run = spawnSync(process.execPath, [path.join(elsewhere, "phz.cjs"), "--help"], { cwd: elsewhere, encoding: "utf8", env: { PATH: process.env.PATH } });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("Usage: phz-handshake");
    expect(fs.existsSync(path.join(out.outdir, "hcl", "spoke-app-osaka", ASSET))).toBe(true);
  });

  it("puts no credential and no endpoint override in the synthesized stack (aws target)", () => {
    expect(JSON.stringify(osaka)).not.toMatch(/AWS_SECRET|AWS_ACCESS_KEY|SESSION_TOKEN|AWS_ENDPOINT_URL|secret_key/i);
  });

  it("declares the hub as a dependency of the spoke in the manifest (deploy order)", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(out.outdir, "manifest.json"), "utf8"));
    expect(manifest.stacks["spoke-app-osaka"].dependencies).toEqual(["hub-tokyo"]);
  });

  it("adding a hub service adds only the new zone's pairs", () => {
    const doc = exampleDoc();
    doc.hubs.tokyo.services.push("ecr.dkr");
    const more = resources(synth(doc, { hcl: false }).json["spoke-app-osaka"], "terraform_data");
    const before = resources(osaka, "terraform_data");
    expect(Object.keys(more).filter((k) => !(k in before))).toEqual(["phz_dkr_ecr_ap-northeast-1_amazonaws_com"]);
    for (const [name, pair] of Object.entries(before)) expect(more[name]).toEqual(pair);
  });

  it("points the handshake at the emulator through the SDK's standard variables under a local target", () => {
    const doc = exampleDoc();
    doc.target = { kind: "local", endpoint: "http://127.0.0.1:4566" };
    const local = synth(doc, { hcl: false }).json["spoke-app-osaka"];
    const [create] = resources(local, "terraform_data")["phz_ssm_ap-northeast-1_amazonaws_com"].provisioner.map((p: any) => p["local-exec"]);
    expect(create.environment).toMatchObject({ AWS_ENDPOINT_URL: "http://127.0.0.1:4566", AWS_REGION: "us-east-1" });
  });
});

describe("spoke stack (native mode)", () => {
  it("uses an authorization in the hub account and an association in the spoke account; the authorization stays", () => {
    const doc = exampleDoc();
    doc.spokes["app-osaka"].association = "native";
    const osaka = synth(doc, { hcl: false }).json["spoke-app-osaka"];
    expect(resources(osaka, "terraform_data")).toEqual({});
    const auth = resources(osaka, "aws_route53_vpc_association_authorization")["authorize_ssm_ap-northeast-1_amazonaws_com"];
    expect(auth).toMatchObject({
      provider: "aws.network_hub_ap_northeast_1",
      vpc_id: "${data.aws_vpc.spoke.id}",
      vpc_region: "ap-northeast-3",
      zone_id: ZONE_ID,
    });
    const assoc = resources(osaka, "aws_route53_zone_association")["associate_ssm_ap-northeast-1_amazonaws_com"];
    expect(assoc).toMatchObject({
      provider: "aws.workload_osaka_ap_northeast_3",
      zone_id: "${aws_route53_vpc_association_authorization.authorize_ssm_ap-northeast-1_amazonaws_com.zone_id}",
      vpc_id: "${aws_route53_vpc_association_authorization.authorize_ssm_ap-northeast-1_amazonaws_com.vpc_id}",
      vpc_region: "ap-northeast-3",
    });
    expect(osaka.provider.aws.map((p: any) => p.alias).sort()).toEqual(["network_hub_ap_northeast_1", "workload_osaka_ap_northeast_3"]);
  });

  it("needs no authorization when the spoke is in the hub's account", () => {
    const doc = exampleDoc();
    doc.vpcs["app-tokyo"].account = "network-hub";
    doc.spokes["app-tokyo"].association = "native";
    const tokyo = synth(doc, { hcl: false }).json["spoke-app-tokyo"];
    expect(resources(tokyo, "aws_route53_vpc_association_authorization")).toEqual({});
    expect(Object.keys(resources(tokyo, "aws_route53_zone_association"))).toHaveLength(6);
  });
});
