/**
 * The imports file at synth (synth/imports.ts): each entry becomes an import block in its stack, with the
 * resource's own aliased provider, in the JSON and the HCL output; entries whose resource is gone are left
 * out with a warning; a bad file is a located error and nothing is written.
 */
import * as fs from "fs";
import * as path from "path";
import { loadTopologyText } from "../../topology/load";
import { SynthError, synthesize } from "../../synth/synthesize";
import { importsFileFor } from "../../synth/imports";
import { exampleDoc, tempDir } from "../helpers";

function synthWith(imports: unknown, doc = exampleDoc()) {
  const work = tempDir("imports");
  const topology = path.join(work, "topology.json");
  fs.writeFileSync(topology, JSON.stringify(doc));
  const importsFile = importsFileFor(topology);
  fs.writeFileSync(importsFile, typeof imports === "string" ? imports : JSON.stringify(imports));
  const { model } = loadTopologyText(JSON.stringify(doc), topology);
  const outdir = path.join(work, "cdktf.out");
  const run = () => synthesize(model, { outdir, importsFile });
  return { run, outdir, importsFile };
}

const entries = [
  { stack: "hub-tokyo", to: "aws_vpc_endpoint.ssm", id: "vpce-0123456789abcdef0", what: "endpoint ssm" },
  { stack: "hub-tokyo", to: "aws_route53_record.wildcard_s3_ap-northeast-1_amazonaws_com", id: "Z0123456789ABC_*.s3.ap-northeast-1.amazonaws.com_A" },
  { stack: "spoke-app-tokyo", to: "aws_vpc_endpoint.gone", id: "vpce-0123456789abcdef1" },
  { stack: "no-such-stack", to: "aws_vpc_endpoint.ssm", id: "vpce-0123456789abcdef2" },
];

describe("imports file at synth", () => {
  it("writes import blocks with the resource's provider, in JSON and HCL; leaves out what is gone, with a warning", () => {
    const { run, outdir, importsFile } = synthWith({ version: 1, topology: "privatelink-example", imports: entries });
    const result = run();
    const hub = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "hub-tokyo", "cdk.tf.json"), "utf8"));
    expect(hub.import).toEqual([
      { to: "aws_vpc_endpoint.ssm", id: "vpce-0123456789abcdef0", provider: "aws.network_hub_ap_northeast_1" },
      { to: "aws_route53_record.wildcard_s3_ap-northeast-1_amazonaws_com", id: "Z0123456789ABC_*.s3.ap-northeast-1.amazonaws.com_A", provider: "aws.network_hub_ap_northeast_1" },
    ]);
    expect(hub.resource.aws_vpc_endpoint.ssm.provider).toBe("aws.network_hub_ap_northeast_1");
    const hcl = fs.readFileSync(path.join(outdir, "hcl", "hub-tokyo", "main.tf"), "utf8");
    expect(hcl).toContain('import {\n  to = aws_vpc_endpoint.ssm\n  id = "vpce-0123456789abcdef0"\n  provider = aws.network_hub_ap_northeast_1\n}');
    const spoke = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "spoke-app-tokyo", "cdk.tf.json"), "utf8"));
    expect(spoke.import).toBeUndefined();
    expect(result.warnings).toEqual(expect.arrayContaining([`${importsFile}: 2 import(s) name resources no longer in the configuration, left out (spoke-app-tokyo aws_vpc_endpoint.gone, no-such-stack aws_vpc_endpoint.ssm); remove them from the file once the adoption is applied`]));
  });

  it("lets consumers read an adopted service's known outputs until its state holds them; the state wins", () => {
    const outputs = { "service-orders-api": { service_name: "com.amazonaws.vpce.ap-northeast-1.vpce-svc-0123456789abcdef0", service_id: "vpce-svc-0123456789abcdef0" } };
    const { run, outdir } = synthWith({ version: 1, topology: "privatelink-example", imports: [], outputs });
    run();
    const consumer = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "consumer-orders-api-tokyo", "cdk.tf.json"), "utf8"));
    expect(consumer.locals["upstream_service-orders-api"]).toMatch(
      /^\$\{merge\(\{ "service_id" = "vpce-svc-0123456789abcdef0", "service_name" = "com\.amazonaws\.vpce\.ap-northeast-1\.vpce-svc-0123456789abcdef0" \}, try\(\{ for name, output in jsondecode\(file\("[^"]*terraform\.privatelink-example\.service-orders-api\.tfstate"\)\)\.outputs : name => output\.value \}, \{\}\)\)\}$/,
    );
    // Stacks that do not read that service are untouched.
    const hub = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "spoke-app-tokyo", "cdk.tf.json"), "utf8"));
    expect(JSON.stringify(hub)).not.toContain("vpce-svc-0123456789abcdef0");
  });

  it.each([
    ["not JSON", "{", /not JSON/],
    ["a known output holding a template", { version: 1, topology: "privatelink-example", imports: [], outputs: { "service-orders-api": { service_name: "${path.cwd}" } } }, /outputs\.service-orders-api\.service_name: must be an AWS id or name/],
    ["another topology's file", { version: 1, topology: "other", imports: [] }, /was written for topology "other", not "privatelink-example"/],
    ["an id holding a template", { version: 1, topology: "privatelink-example", imports: [{ stack: "hub-tokyo", to: "aws_vpc_endpoint.ssm", id: "${file(\"/etc/passwd\")}" }] }, /imports\.0\.id: must be an AWS id/],
    ["an address that is not one", { version: 1, topology: "privatelink-example", imports: [{ stack: "hub-tokyo", to: "module.x.aws_vpc_endpoint.ssm", id: "vpce-1" }] }, /imports\.0\.to: must be a resource address/],
    [
      "one address imported twice",
      { version: 1, topology: "privatelink-example", imports: [entries[0], { ...entries[0], id: "vpce-0123456789abcdef9" }] },
      /imports\[1\]: hub-tokyo aws_vpc_endpoint\.ssm is imported twice/,
    ],
  ])("refuses %s: a located error, nothing written", (_, content, reason) => {
    const { run, outdir, importsFile } = synthWith(content);
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SynthError);
    expect((error as Error).message).toContain(importsFile);
    expect((error as Error).message).toMatch(reason);
    expect(fs.existsSync(outdir)).toBe(false);
  });
});
