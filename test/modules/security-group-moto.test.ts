/**
 * Replacing a security group on the emulator: a changed description forces a new group. With a fixed
 * `name` and `create_before_destroy` the new group cannot be created while the old one exists
 * (`InvalidGroup.Duplicate`, reproduced here as a control); with `name_prefix`, as IngressSecurityGroup
 * does, the replacement goes through and exactly one group remains.
 */
import * as fs from "fs";
import * as path from "path";
import { App, LocalBackend, TerraformStack } from "../../framework/core";
import { DescribeSecurityGroupsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { AccountRegionProvider } from "../../modules/aws-provider";
import { IngressSecurityGroup } from "../../modules/ingress-security-group";
import { accountCredentials, createVpc, EmulatorCredentials } from "../../tools/emulator-fixtures";
import { Moto, startMoto } from "../../tools/moto";
import { runTerraformAsync, terraformEnv, TerraformEnv } from "../../tools/terraform-env";
import { tempDir } from "../helpers";

const ACCOUNT = { name: "hub", id: "111122223333", deployRoleArn: "arn:aws:iam::111122223333:role/deployer" };
const DUMMY = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" };

/** The stack's configuration with a group of the given description. */
function configure(dir: string, endpoint: string, vpcId: string, description: string): string {
  const app = new App({ outdir: dir });
  const stack = new TerraformStack(app, "sg");
  new LocalBackend(stack, { path: "../../state.tfstate" });
  const { provider } = new AccountRegionProvider(stack, "p", { account: ACCOUNT, region: "ap-northeast-1", target: { kind: "local", endpoint } });
  new IngressSecurityGroup(stack, "group", {
    provider,
    vpcId,
    name: "app-clients",
    description,
    ingress: [{ protocol: "tcp", port: 443, cidrs: ["10.1.0.0/16"], description: "HTTPS" }],
  });
  app.synth();
  return path.join(dir, "stacks", "sg");
}

describe("security group replacement on moto", () => {
  let moto: Moto;
  let env: TerraformEnv;
  let credentials: EmulatorCredentials;
  beforeAll(async () => {
    moto = await startMoto();
    env = terraformEnv(tempDir("tf"));
    credentials = await accountCredentials(moto.url, ACCOUNT.deployRoleArn);
  }, 60_000);
  afterAll(() => moto?.stop());

  async function groups(vpcId: string) {
    const ec2 = new EC2Client({ region: "ap-northeast-1", endpoint: moto.url, credentials });
    const found = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }))).SecurityGroups ?? [];
    return found.filter((g) => g.GroupName !== "default");
  }

  it("a changed description replaces the group: created before the old one is deleted, one group left", async () => {
    const { vpcId } = await createVpc(moto.url, credentials, "ap-northeast-1", "10.0.0.0/16", [{ az: "a", cidr: "10.0.1.0/24" }]);
    const dir = tempDir("sg");
    const stackDir = configure(dir, moto.url, vpcId, "clients, first wording");
    expect((await runTerraformAsync(env, stackDir, ["init", "-input=false", "-no-color"], DUMMY)).status).toBe(0);
    const first = await runTerraformAsync(env, stackDir, ["apply", "-auto-approve", "-input=false", "-no-color"], DUMMY);
    expect(first.status === 0 ? "ok" : first.stderr).toBe("ok");
    const [before] = await groups(vpcId);
    expect(before.GroupName).toMatch(/^app-clients-/);

    configure(dir, moto.url, vpcId, "clients, second wording");
    const second = await runTerraformAsync(env, stackDir, ["apply", "-auto-approve", "-input=false", "-no-color"], DUMMY);
    expect(second.status === 0 ? "ok" : second.stderr).toBe("ok");
    expect(second.stdout).toMatch(/1 added, 0 changed, 1 destroyed|2 added, 0 changed, 2 destroyed/);
    const after = await groups(vpcId);
    expect(after.map((g) => [g.Description, g.Tags?.find((t) => t.Key === "Name")?.Value])).toEqual([["clients, second wording", "app-clients"]]);
    expect(after[0].GroupId).not.toBe(before.GroupId);
  }, 300_000);

  it("control: the same change with a fixed name fails on the emulator with InvalidGroup.Duplicate", async () => {
    const { vpcId } = await createVpc(moto.url, credentials, "ap-northeast-1", "10.2.0.0/16", [{ az: "a", cidr: "10.2.1.0/24" }]);
    const dir = tempDir("sg-fixed");
    const stackDir = configure(dir, moto.url, vpcId, "first wording");
    const fixedName = (file: string, description: string) => {
      const config = JSON.parse(fs.readFileSync(file, "utf8"));
      const group = Object.values<any>(config.resource.aws_security_group)[0];
      delete group.name_prefix;
      group.name = "app-clients";
      group.description = description;
      fs.writeFileSync(file, JSON.stringify(config));
    };
    const file = path.join(stackDir, "cdk.tf.json");
    fixedName(file, "first wording");
    expect((await runTerraformAsync(env, stackDir, ["init", "-input=false", "-no-color"], DUMMY)).status).toBe(0);
    expect((await runTerraformAsync(env, stackDir, ["apply", "-auto-approve", "-input=false", "-no-color"], DUMMY)).status).toBe(0);
    fixedName(file, "second wording");
    const second = await runTerraformAsync(env, stackDir, ["apply", "-auto-approve", "-input=false", "-no-color"], DUMMY);
    expect(second.status).not.toBe(0);
    expect(second.stderr).toContain("InvalidGroup.Duplicate");
  }, 300_000);
});
