/**
 * The estate record at synth: what is removed from the topology stays in the output, retired, while a
 * state may hold it; the record is deterministic, strict, and left alone when nothing changes.
 */
import * as fs from "fs";
import * as path from "path";
import { pairAddress, readEstate } from "../../synth/estate";
import { exampleDoc, synthIn, tempDir } from "../helpers";

const ZONES = ["ec2messages", "s3-accesspoint", "s3-control", "s3", "ssm", "ssmmessages"].map((s) => `${s}.ap-northeast-1.amazonaws.com`);

describe("the estate record", () => {
  it("records every stack with its providers, VPC, upstreams and pairs, deterministically, and rewrites nothing when nothing changed", () => {
    const work = tempDir("estate");
    synthIn(work, exampleDoc());
    const file = path.join(work, "topology.estate.json");
    const record = readEstate(file)!;
    expect(Object.keys(record.stacks)).toEqual(["consumer-orders-api-tokyo", "consumer-orders-api-virginia", "hub-tokyo", "service-orders-api", "spoke-app-osaka", "spoke-app-tokyo"]);
    expect(record.stacks["spoke-app-osaka"]).toEqual({
      role: "spoke",
      vpcId: "vpc-0a1b2c3d4e5f60003",
      upstreams: ["hub-tokyo"],
      providers: [
        { alias: "workload_osaka_ap_northeast_3", account: "workload-osaka", accountId: "333344445555", roleArn: "arn:aws:iam::333344445555:role/privatelink-deployer", region: "ap-northeast-3" },
      ],
      spoke: { association: "script", vpcRegion: "ap-northeast-3", zoneRoleArn: "arn:aws:iam::111122223333:role/privatelink-deployer", vpcRoleArn: "arn:aws:iam::333344445555:role/privatelink-deployer", pairs: [...ZONES].sort() },
    });
    const mtime = fs.statSync(file).mtimeMs;
    const text = fs.readFileSync(file, "utf8");
    synthIn(work, exampleDoc());
    expect(fs.readFileSync(file, "utf8")).toBe(text);
    expect(fs.statSync(file).mtimeMs).toBe(mtime);
  });

  it("keeps a removed spoke retired (providers, pairs with count 0, before its hub) and a removed service's pairs in the spoke that stays, while their state holds them", () => {
    const work = tempDir("estate");
    synthIn(work, exampleDoc());
    const doc = exampleDoc();
    delete doc.spokes["app-osaka"];
    doc.hubs.tokyo.services = ["ssmmessages", "ec2messages", "s3"];
    // Every stack's state holds everything the old configuration had.
    const held = (stack: string) => (stack.startsWith("spoke-") ? ZONES.map(pairAddress) : ["aws_route53_zone.x"]);
    const { result, json, manifest } = synthIn(work, doc, held);

    expect(result.retired).toEqual({ stacks: ["spoke-app-osaka"], pairs: { "spoke-app-tokyo": ["ssm.ap-northeast-1.amazonaws.com"] }, waiting: {} });
    const retired = json("spoke-app-osaka");
    // The script-mode spoke's one provider (its VPC's account and region), as the state refers to it.
    expect(retired.provider.aws.map((p: any) => [p.alias, p.region, p.assume_role[0].role_arn])).toEqual([["workload_osaka_ap_northeast_3", "ap-northeast-3", "arn:aws:iam::333344445555:role/privatelink-deployer"]]);
    expect(Object.keys(retired.resource)).toEqual(["terraform_data"]);
    expect(Object.values<any>(retired.resource.terraform_data).map((r) => [r.count, r.provisioner.map((p: any) => p["local-exec"].when ?? "create")])).toEqual(
      Array(6).fill([0, ["create", "destroy"]]),
    );
    expect(retired.terraform.backend.local.path).toMatch(/terraform\.privatelink-example\.spoke-app-osaka\.tfstate$/);
    expect(fs.existsSync(path.join(work, "cdktf.out", "stacks", "spoke-app-osaka", "assets"))).toBe(true);
    // The hub waits for the retired spoke: it disassociates before zones change.
    expect(manifest.stacks["hub-tokyo"].dependencies).toEqual(["spoke-app-osaka"]);

    const tokyo = json("spoke-app-tokyo").resource.terraform_data;
    expect(tokyo[pairAddress("ssm.ap-northeast-1.amazonaws.com").split(".")[1]]).toMatchObject({ count: 0 });
    expect(Object.values<any>(tokyo).filter((r) => r.count === undefined)).toHaveLength(5);

    const record = readEstate(path.join(work, "topology.estate.json"))!;
    expect(record.stacks["spoke-app-osaka"].retired).toBe(true);
    expect(record.stacks["spoke-app-tokyo"].spoke!.retiredPairs).toEqual(["ssm.ap-northeast-1.amazonaws.com"]);

    // Once the states are empty of them, the next synth drops them.
    const after = synthIn(work, doc, (stack) => (stack === "spoke-app-osaka" ? [] : stack === "spoke-app-tokyo" ? ZONES.filter((z) => !z.startsWith("ssm.")).map(pairAddress) : ["x"]));
    expect(after.result.retired).toEqual({ stacks: [], pairs: {}, waiting: {} });
    expect(fs.existsSync(path.join(work, "cdktf.out", "stacks", "spoke-app-osaka"))).toBe(false);
    expect(Object.keys(readEstate(path.join(work, "topology.estate.json"))!.stacks)).not.toContain("spoke-app-osaka");
  });

  it("orders a renamed spoke after its old name, which disassociates the same VPC first", () => {
    const work = tempDir("estate");
    synthIn(work, exampleDoc());
    const doc = exampleDoc();
    doc.spokes["app-osaka-2"] = doc.spokes["app-osaka"];
    delete doc.spokes["app-osaka"];
    const { manifest } = synthIn(work, doc, () => undefined);
    expect(manifest.stacks["spoke-app-osaka-2"].dependencies.sort()).toEqual(["hub-tokyo", "spoke-app-osaka"]);
  });

  it("refuses a record that is not one, naming the file and the field, and writes nothing", () => {
    const work = tempDir("estate");
    const file = path.join(work, "topology.estate.json");
    fs.writeFileSync(file, JSON.stringify({ version: 1, topology: "privatelink-example", stacks: { "hub-tokyo": { role: "hub", vpcId: "vpc-1", upstreams: [], providers: [] } } }));
    expect(() => synthIn(work, exampleDoc())).toThrow(/topology\.estate\.json: stacks\.hub-tokyo\.vpcId: .*\n  fix: restore it from version control/);
    expect(fs.existsSync(path.join(work, "cdktf.out"))).toBe(false);
    fs.writeFileSync(file, JSON.stringify({ version: 1, topology: "other", stacks: {} }));
    expect(() => synthIn(work, exampleDoc())).toThrow(/records topology "other", not "privatelink-example"/);
  });
});
