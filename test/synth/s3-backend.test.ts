/**
 * The S3 backend for real, on moto's S3: `terraform init` of both forms of a stack (JSON and the HCL
 * export) with a role to assume and an empty key prefix, a state written by an apply of the JSON form,
 * found at the bucket's root, and read back by the HCL form.
 */
import * as path from "path";
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { accountCredentials, createVpc } from "../../tools/emulator-fixtures";
import { Moto, startMoto } from "../../tools/moto";
import { runTerraformAsync, terraformEnv } from "../../tools/terraform-env";
import { exampleDoc, synth, tempDir } from "../helpers";

const DUMMY = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };

describe("S3 backend on moto", () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  }, 60_000);
  afterAll(() => moto?.stop());

  it("initializes both forms with assume_role and an empty key prefix, and both use the same state at the bucket's root", async () => {
    const s3 = new S3Client({ region: "ap-northeast-1", endpoint: moto.url, forcePathStyle: true, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    await s3.send(new CreateBucketCommand({ Bucket: "acme-tf-state", CreateBucketConfiguration: { LocationConstraint: "ap-northeast-1" } }));

    const doc = exampleDoc();
    const hub = doc.vpcs["hub-tokyo"];
    const made = await createVpc(moto.url, await accountCredentials(moto.url, doc.accounts["network-hub"].deployRoleArn), hub.region, hub.cidr, hub.subnets);
    hub.vpcId = made.vpcId;
    doc.target = { kind: "local", endpoint: moto.url };
    doc.backend = { kind: "s3", bucket: "acme-tf-state", region: "ap-northeast-1", keyPrefix: "", roleArn: "arn:aws:iam::111122223333:role/tf-state" };
    const out = synth(doc);
    expect(out.json["hub-tokyo"].terraform.backend.s3).toMatchObject({
      key: "hub-tokyo.tfstate",
      assume_role: { role_arn: "arn:aws:iam::111122223333:role/tf-state" },
      use_lockfile: true,
      endpoints: { s3: moto.url, sts: moto.url },
    });

    const env = terraformEnv(tempDir("tf"));
    const json = path.join(out.outdir, "stacks", "hub-tokyo");
    const hcl = path.join(out.outdir, "hcl", "hub-tokyo");
    const inits = await Promise.all([json, hcl].map((dir) => runTerraformAsync(env, dir, ["init", "-input=false", "-no-color"], DUMMY)));
    expect(inits.map((r) => (r.status === 0 ? "ok" : r.stderr))).toEqual(["ok", "ok"]);

    // A real write through the backend (state and lock file), from the JSON form.
    const apply = await runTerraformAsync(env, json, ["apply", "-auto-approve", "-input=false", "-no-color", "-target=aws_security_group.tokyo-hub-endpoints"], DUMMY);
    expect(apply.status === 0 ? "ok" : apply.stderr).toBe("ok");
    const keys = (await s3.send(new ListObjectsV2Command({ Bucket: "acme-tf-state" }))).Contents?.map((o) => o.Key) ?? [];
    expect(keys).toEqual(["hub-tokyo.tfstate"]);

    // The HCL form reads the same state.
    const list = await runTerraformAsync(env, hcl, ["state", "list", "-no-color"], DUMMY);
    expect(list.stdout.trim().split("\n")).toEqual(["aws_security_group.tokyo-hub-endpoints"]);
  }, 300_000);
});
