/**
 * Endpoint policies: the hub's organization policy, a service's own policy file (read inside the topology's
 * directory only, checked before anything is built), IAM policy variables written literally for Terraform,
 * and the plan summary's line for a reviewer.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { MAX_ENDPOINT_POLICY_CHARS, organizationPolicy, policyProblems } from "../../aws/endpoint-policies";
import { describePolicy, summarize } from "../../cli/plan-summary";
import { loadTopologyFile } from "../../topology/load";
import { TopologyError } from "../../topology/problems";
import { DIST, exampleDoc, resources, ROOT, synth, tempDir } from "../helpers";

const SSM_BUCKETS = path.join(ROOT, "examples", "policies", "s3-with-ssm-buckets.json");

/** The example in a fresh directory, its S3 service taking `policyFile`, and the files given. */
function withPolicyFile(policyFile: string, files: Record<string, string> = {}): string {
  const dir = tempDir("policy");
  const doc = exampleDoc();
  doc.hubs.tokyo.services = doc.hubs.tokyo.services.map((s: string) => (s === "s3" ? { name: "s3", policyFile } : s));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  fs.writeFileSync(path.join(dir, "topology.yaml"), stringify(doc));
  return path.join(dir, "topology.yaml");
}

function problemOf(file: string): string {
  try {
    loadTopologyFile(file);
  } catch (error) {
    if (error instanceof TopologyError) return error.message;
    throw error;
  }
  throw new Error("the topology was accepted");
}

describe("endpoint policies", () => {
  it("the example's hub gives every endpoint the organization's policy; S3's also requires the organization's buckets", () => {
    const { json, warnings } = synth();
    const endpoints = resources(json["hub-tokyo"], "aws_vpc_endpoint");
    const conditions = Object.fromEntries(Object.entries(endpoints).map(([name, e]) => [name, JSON.parse(e.policy).Statement[0].Condition.StringEquals]));
    expect(conditions).toEqual({
      ec2messages: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" },
      s3: { "aws:PrincipalOrgID": "o-a1b2c3d4e5", "aws:ResourceOrgID": "o-a1b2c3d4e5" },
      ssm: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" },
      ssmmessages: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" },
    });
    expect(warnings.filter((w) => w.includes("endpoint policy"))).toEqual([]);
  });

  it("without one, synth warns which services keep AWS's full-access default, and writes no policy", () => {
    const doc = exampleDoc();
    delete doc.hubs.tokyo.endpointPolicy;
    const { json, warnings } = synth(doc, { hcl: false });
    expect(Object.values(resources(json["hub-tokyo"], "aws_vpc_endpoint")).map((e) => e.policy)).toEqual([undefined, undefined, undefined, undefined]);
    expect(warnings.filter((w) => w.includes("endpoint policy"))).toEqual([
      "hub tokyo: ssm, ssmmessages, ec2messages, s3 keep AWS's default endpoint policy (full access for any principal that reaches the endpoint); set hubs.tokyo.endpointPolicy.organizationId, or a policyFile per service (docs/hub.md)",
    ]);
  });

  it("a service's policy file overrides the hub's policy, read relative to the topology; IAM policy variables reach Terraform as literals", () => {
    const text = fs.readFileSync(SSM_BUCKETS, "utf8");
    const file = withPolicyFile("policies/s3.json", { "policies/s3.json": text });
    const { model } = loadTopologyFile(file);
    expect(JSON.parse(model.hubs[0].endpointPolicies.get("s3")!)).toEqual(JSON.parse(text));
    expect(model.hubs[0].endpointPolicies.get("ssm")).toBe(organizationPolicy("o-a1b2c3d4e5", "ssm"));

    // Synthesized through the real command: the variable is escaped for Terraform ($${), terraform's own
    // reading of the JSON gives back the file's document.
    const outdir = path.join(path.dirname(file), "out");
    const run = spawnSync(process.execPath, [path.join(DIST, "main.js")], { cwd: path.dirname(file), env: { ...process.env, TOPOLOGY: file, CDKTF_OUTDIR: outdir }, encoding: "utf8" });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    const hub = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "hub-tokyo", "cdk.tf.json"), "utf8"));
    const written: string = hub.resource.aws_vpc_endpoint.s3.policy;
    expect(written).toContain("arn:aws:s3:::scratch-$${aws:PrincipalAccount}/*");
    expect(JSON.parse(written.replace(/\$\$\{/g, "${"))).toEqual(JSON.parse(text));
  });

  it.each([
    ["../outside.json", /"\.\.\/outside\.json" leads out of the topology's directory/],
    ["/etc/hostname", /is absolute/],
    ["policies/missing.json", /"policies\/missing\.json" cannot be read: it does not exist/],
    ["policies", /cannot be read: it is a directory, not a file/],
  ])("policyFile %s is refused, located at its line", (name, message) => {
    const file = withPolicyFile(name, { "policies/other.json": "{}" });
    const text = problemOf(file);
    expect(text).toMatch(message);
    expect(text).toMatch(/line \d+: hubs\.tokyo\.services\[3\]\.policyFile/);
  });

  it("a symbolic link that leads out of the topology's directory is refused; one inside it is followed", () => {
    const outside = path.join(tempDir("outside"), "policy.json");
    fs.writeFileSync(outside, organizationPolicy("o-a1b2c3d4e5", "s3"));
    const file = withPolicyFile("policies/s3.json", { "policies/inside.json": organizationPolicy("o-a1b2c3d4e5", "s3") });
    fs.symlinkSync(outside, path.join(path.dirname(file), "policies", "s3.json"));
    expect(problemOf(file)).toMatch(/cannot be read: it is a symbolic link that leads out of the topology's directory/);
    fs.rmSync(path.join(path.dirname(file), "policies", "s3.json"));
    fs.symlinkSync("inside.json", path.join(path.dirname(file), "policies", "s3.json"));
    expect(loadTopologyFile(file).model.hubs[0].endpointPolicies.get("s3")).toBe(organizationPolicy("o-a1b2c3d4e5", "s3"));
  });

  it.each([
    ["not JSON", "{ Version: 2012 }", /is not JSON/],
    ["no statement", '{ "Version": "2012-10-17" }', /has no Statement/],
    ["a Terraform expression", '{ "Statement": [{ "Effect": "Allow", "Resource": "${file(\\"/etc/passwd\\")}" }] }', /holds "\$\{" that is not an IAM policy variable/],
    ["a directive", '{ "Statement": [{ "Effect": "Allow", "Resource": "%{ for x in y }" }] }', /holds "%\{" that is not an IAM policy variable/],
    ["too long", JSON.stringify({ Statement: [{ Effect: "Allow", Resource: "x".repeat(MAX_ENDPOINT_POLICY_CHARS) }] }), /characters \(without white space\), more than the 20480 AWS accepts/],
  ])("a policy file that is %s is refused before anything is synthesized", (_what, text, message) => {
    const file = withPolicyFile("p.json", { "p.json": text });
    const outdir = path.join(path.dirname(file), "out");
    const run = spawnSync(process.execPath, [path.join(DIST, "main.js")], { cwd: path.dirname(file), env: { ...process.env, TOPOLOGY: file, CDKTF_OUTDIR: outdir }, encoding: "utf8" });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/line \d+: hubs\.tokyo\.services\[3\]\.policyFile/);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(fs.existsSync(outdir)).toBe(false);
  });

  it("IAM policy variables are accepted; anything else that Terraform would read as a template is not", () => {
    const doc = (resource: string) => JSON.stringify({ Statement: [{ Effect: "Allow", Resource: resource }] });
    expect(policyProblems(doc("arn:aws:s3:::b-${aws:PrincipalAccount}/${aws:PrincipalTag/team, 'none'}/${*}${?}${$}"))).toEqual([]);
    expect(policyProblems(doc("${TfToken[TOKEN.1]}"))).toHaveLength(1);
    expect(policyProblems(doc("${aws:x}${var.y}"))).toHaveLength(1);
  });

  it("the plan summary tells a reviewer how an endpoint's policy changes", () => {
    const before = organizationPolicy("o-a1b2c3d4e5", "s3");
    const after = JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }] });
    const change = (b: string | undefined, a: string) => ({
      address: "aws_vpc_endpoint.s3",
      type: "aws_vpc_endpoint",
      mode: "managed",
      change: { actions: b ? ["update"] : ["create"], before: b && { service_name: "com.amazonaws.ap-northeast-1.s3", policy: b }, after: { service_name: "com.amazonaws.ap-northeast-1.s3", policy: a } },
    });
    const plan = (b: string | undefined, a: string) => summarize([{ stack: "hub-tokyo", plan: { resource_changes: [change(b, a)] }, places: new Map() } as any]).network;
    expect(plan(before, after)).toEqual([
      {
        stack: "hub-tokyo",
        address: "aws_vpc_endpoint.s3",
        kind: "endpoint-policy",
        change: "changed",
        detail: "com.amazonaws.ap-northeast-1.s3: Allow * * if aws:PrincipalOrgID=o-a1b2c3d4e5, aws:ResourceOrgID=o-a1b2c3d4e5 -> Allow * s3:GetObject on arn:aws:s3:::b/*",
      },
    ]);
    // The same document written differently is no change; a new endpoint with a policy is.
    expect(plan(before, JSON.stringify(JSON.parse(before), null, 2))).toEqual([]);
    expect(plan(undefined, after).map((n) => n.change)).toEqual(["added"]);
    expect(describePolicy(undefined)).toBe("(known after apply)");
  });
});
