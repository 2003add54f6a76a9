/**
 * A hub shared through a Route 53 Profile (`sharing: profile`): what the hub and spoke stacks hold, what
 * validation refuses, and what the estate record does when a hub switches from zones to a Profile.
 */
import { sharedByInvitation } from "../../modules/profile-sharing";
import * as fs from "fs";
import * as path from "path";
import { profileName } from "../../modules/profile-sharing";
import { pairAddress, PROFILE_ASSOCIATION_ADDRESS, readEstate, retirements } from "../../synth/estate";
import { exampleDoc, problemsOf, resources, synth, synthIn, tempDir } from "../helpers";

const ZONES = ["ec2messages", "s3-accesspoint", "s3-control", "s3", "ssm", "ssmmessages"].map((s) => `${s}.ap-northeast-1.amazonaws.com`);

function profileDoc(mutate: (doc: Record<string, any>) => void = () => undefined) {
  const doc = exampleDoc();
  doc.hubs.tokyo.sharing = "profile";
  mutate(doc);
  return doc;
}

describe("hub shared through a Route 53 Profile", () => {
  it("the hub: one Profile carrying each zone, shared read-only through RAM with the accounts of the spokes in its region", () => {
    const hub = synth(profileDoc()).json["hub-tokyo"];
    expect(resources(hub, "aws_route53profiles_profile")).toEqual({ "tokyo-hub": expect.objectContaining({ name: "tokyo-hub", provider: "aws.network_hub_ap_northeast_1" }) });
    const associations = resources(hub, "aws_route53profiles_resource_association");
    expect(Object.values(associations).map((a: any) => [a.name, a.resource_arn, a.profile_id]).sort()).toEqual(
      ZONES.map((z) => [z.replace(/\./g, "-"), `\${aws_route53_zone.${z.replace(/\./g, "_")}.arn}`, "${aws_route53profiles_profile.tokyo-hub.id}"]).sort(),
    );
    // Only the Tokyo spoke's account: Osaka's spoke is in another region, which a Profile cannot serve.
    expect(Object.values(resources(hub, "aws_ram_principal_association")).map((p: any) => p.principal)).toEqual(["222233334444"]);
    const share = Object.values(resources(hub, "aws_ram_resource_share"))[0] as any;
    expect(share).toMatchObject({ name: "tokyo-hub", allow_external_principals: true });
    expect(share.permission_arns).toBeUndefined(); // AWS's default permission: associate only, never add resources
    expect(Object.values(resources(hub, "aws_ram_resource_association"))).toEqual([expect.objectContaining({ resource_arn: "${aws_route53profiles_profile.tokyo-hub.arn}" })]);
    expect(Object.keys(hub.output)).toEqual(expect.arrayContaining(["profile_id", "profile_share_arn", "zone_ids"]));
  });

  it("the Tokyo spoke accepts the share and associates its VPC once; the Osaka spoke keeps one handshake per zone", () => {
    const out = synth(profileDoc());
    const tokyo = out.json["spoke-app-tokyo"];
    expect(resources(tokyo, "terraform_data")).toEqual({});
    const accepter = resources(tokyo, "aws_ram_resource_share_accepter").profile_share;
    // Before the hub is applied, an ARN-shaped placeholder: the provider validates share_arn while planning.
    expect(accepter.share_arn).toBe('${try(tostring(local.upstream_hub-tokyo["profile_share_arn"]), "arn:aws:ram:us-east-1:000000000000:resource-share/(pending: not in hub-tokyo\'s state yet: profile_share_arn)")}');
    expect(accepter.lifecycle.precondition[0].error_message).toMatch(/^hub-tokyo has no Route 53 Profile in its state yet/);
    const association = resources(tokyo, "aws_route53profiles_association").profile;
    expect(association).toMatchObject({
      name: "spoke-app-tokyo",
      resource_id: "${data.aws_vpc.spoke.id}",
      provider: "aws.workload_tokyo_ap_northeast_1",
      depends_on: ["aws_ram_resource_share_accepter.profile_share"],
    });
    expect(association.profile_id).toContain('local.upstream_hub-tokyo["profile_id"]');
    expect(Object.keys(tokyo.output.associated_zones.value).sort()).toEqual([...ZONES].sort());
    expect(Object.keys(resources(out.json["spoke-app-osaka"], "terraform_data"))).toHaveLength(6);
  });

  it("shared with an organization unit: no invitation to accept, no external principals", () => {
    const ou = "arn:aws:organizations::111122223333:ou/o-abcdefghij/ou-ab12-cdefgh34";
    const out = synth(profileDoc((d) => (d.hubs.tokyo.shareWith = [ou])));
    expect(Object.values(resources(out.json["hub-tokyo"], "aws_ram_principal_association")).map((p: any) => p.principal)).toEqual([ou]);
    expect((Object.values(resources(out.json["hub-tokyo"], "aws_ram_resource_share"))[0] as any).allow_external_principals).toBe(false);
    expect(resources(out.json["spoke-app-tokyo"], "aws_ram_resource_share_accepter")).toEqual({});
    expect(resources(out.json["spoke-app-tokyo"], "aws_route53profiles_association").profile.depends_on).toBeUndefined();
  });

  it("shared with an organization and, by id, an account outside it: the listed account accepts an invitation, a member does not (one rule)", () => {
    const org = "arn:aws:organizations::111122223333:organization/o-abcdefghij";
    const listed = synth(profileDoc((d) => (d.hubs.tokyo.shareWith = [org, "222233334444"])));
    expect((Object.values(resources(listed.json["hub-tokyo"], "aws_ram_resource_share"))[0] as any).allow_external_principals).toBe(true);
    expect(Object.keys(resources(listed.json["spoke-app-tokyo"], "aws_ram_resource_share_accepter"))).toEqual(["profile_share"]);
    const member = synth(profileDoc((d) => (d.hubs.tokyo.shareWith = [org, "999988887777"])));
    expect(resources(member.json["spoke-app-tokyo"], "aws_ram_resource_share_accepter")).toEqual({});
    expect(sharedByInvitation([org, "222233334444"], "222233334444")).toBe(true);
    expect(sharedByInvitation([org, "222233334444"], "333344445555")).toBe(false);
    expect(sharedByInvitation(["222233334444"], "222233334444")).toBe(true);
  });

  it("a spoke in the hub's own account needs no share", () => {
    const out = synth(
      profileDoc((d) => {
        d.vpcs["app-tokyo"].account = "network-hub";
      }),
    );
    expect(resources(out.json["hub-tokyo"], "aws_ram_resource_share")).toEqual({});
    expect(resources(out.json["spoke-app-tokyo"], "aws_ram_resource_share_accepter")).toEqual({});
    expect(out.json["spoke-app-tokyo"].resource.aws_route53profiles_association).toBeDefined();
  });

  it("names Route 53 Profiles accepts: dots become dashes, at most 64 characters, never only digits", () => {
    expect(profileName("s3-accesspoint.ap-northeast-1.amazonaws.com")).toBe("s3-accesspoint-ap-northeast-1-amazonaws-com");
    expect(profileName("x".repeat(80))).toHaveLength(64);
    expect(profileName("12345")).toBe("p-12345");
  });
});

describe("validation of profile sharing", () => {
  it("association on a spoke the Profile serves, shareWith without a Profile, a Profile nobody in its region uses", () => {
    expect(
      problemsOf((d) => {
        d.hubs.tokyo.sharing = "profile";
        d.spokes["app-tokyo"].association = "native";
      }),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/^spokes\.app-tokyo\.association: does not apply: hub "tokyo" is shared through a Route 53 Profile/)]));
    expect(problemsOf((d) => (d.hubs.tokyo.shareWith = ["222233334444"]))).toEqual([expect.stringMatching(/^hubs\.tokyo\.shareWith: is only for a hub shared through a Route 53 Profile \[add sharing: profile/)]);
    expect(
      problemsOf((d) => {
        d.hubs.tokyo.sharing = "profile";
        delete d.spokes["app-tokyo"];
      }),
    ).toEqual([expect.stringMatching(/^hubs\.tokyo\.sharing: no spoke in the hub's region \(ap-northeast-1\) would use the Profile/)]);
    expect(problemsOf((d) => (d.hubs.tokyo.shareWith = ["o-abc"]))).toEqual(expect.arrayContaining([expect.stringMatching(/^hubs\.tokyo\.shareWith\[0\]: must be a 12-digit account id or an organization or OU ARN/)]));
  });

  it("one Profile per VPC, VPCs per Profile and Profiles per account and region, declared quotas honoured", () => {
    const twoHubs = (d: Record<string, any>) => {
      d.hubs.tokyo.sharing = "profile";
      d.vpcs["hub-tokyo-2"] = { ...d.vpcs["hub-tokyo"], vpcId: "vpc-0a1b2c3d4e5f60009", cidr: "10.9.0.0/16", subnets: [
        { id: "subnet-0a1b2c3d4e5f60091", az: "ap-northeast-1a", cidr: "10.9.1.0/24" },
        { id: "subnet-0a1b2c3d4e5f60092", az: "ap-northeast-1c", cidr: "10.9.2.0/24" },
      ] };
      d.hubs.second = { vpc: "hub-tokyo-2", services: ["sts"], sharing: "profile" };
      d.spokes["app-tokyo"].hub = "tokyo";
      d.spokes["app-osaka"].hub = "tokyo";
      d.onPrem.datacenter.hub = "tokyo";
      d.spokes["app-tokyo-again"] = { vpc: "app-tokyo", hub: "second" };
    };
    expect(problemsOf(twoHubs)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^spokes\.app-tokyo-again: VPC "app-tokyo" would be associated with the Profiles of hubs "tokyo" and "second": AWS allows one Profile per VPC/)]),
    );
    const quotas = problemsOf((d) => {
      twoHubs(d);
      d.quotas = { profilesPerRegion: 1, vpcsPerProfile: 1 };
      d.vpcs["app-tokyo-b"] = { ...d.vpcs["app-tokyo"], vpcId: "vpc-0a1b2c3d4e5f60010", cidr: "10.10.0.0/16", subnets: [
        { id: "subnet-0a1b2c3d4e5f60101", az: "ap-northeast-1a", cidr: "10.10.1.0/24" },
        { id: "subnet-0a1b2c3d4e5f60102", az: "ap-northeast-1c", cidr: "10.10.2.0/24" },
      ] };
      d.spokes["app-tokyo-again"].vpc = "app-tokyo-b";
      d.spokes["app-tokyo-b"] = { vpc: "app-tokyo-b", hub: "tokyo" };
    });
    expect(quotas).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^hubs\.tokyo: 2 spokes in ap-northeast-1 would associate its Profile, more than the 1 VPCs per Profile declared/),
        expect.stringMatching(/^hubs\.second: account "network-hub" would own 2 Route 53 Profiles in ap-northeast-1 \(hubs tokyo, second\), more than the 1 declared/),
      ]),
    );
  });

  it("the zone quota counts only the spokes that join the zones themselves", () => {
    const many = (sharing: string) =>
      problemsOf((d) => {
        d.hubs.tokyo.sharing = sharing;
        d.quotas = { vpcsPerHostedZone: 2 };
        d.vpcs["app-tokyo-b"] = { ...d.vpcs["app-tokyo"], vpcId: "vpc-0a1b2c3d4e5f60010", cidr: "10.10.0.0/16", subnets: [
          { id: "subnet-0a1b2c3d4e5f60101", az: "ap-northeast-1a", cidr: "10.10.1.0/24" },
          { id: "subnet-0a1b2c3d4e5f60102", az: "ap-northeast-1c", cidr: "10.10.2.0/24" },
        ] };
        d.spokes["app-tokyo-b"] = { vpc: "app-tokyo-b" };
      });
    expect(many("zones")).toEqual([expect.stringMatching(/^hubs\.tokyo: each of its 6 zones would be associated with 4 VPCs/)]);
    expect(many("profile")).toEqual([]);
  });
});

describe("switching a hub from zones to a Profile", () => {
  it("while the spoke's state has no Profile association, its pairs stay active (waiting), so the VPC keeps the hub's names", () => {
    const work = tempDir("profile-waiting");
    const run = (doc: Record<string, any>, held: string[]) => synthIn(work, doc, () => held).result;
    const pairs = ZONES.map(pairAddress);
    run(exampleDoc(), pairs);
    const first = run(profileDoc(), pairs); // applied in zones mode: the pairs are in the state, no association yet
    expect(first.retired.pairs).toEqual({});
    expect(first.retired.waiting).toEqual({ "spoke-app-tokyo": [...ZONES].sort() });
    const tokyo = JSON.parse(fs.readFileSync(path.join(work, "cdktf.out", "stacks", "spoke-app-tokyo", "cdk.tf.json"), "utf8"));
    expect(Object.values(resources(tokyo, "terraform_data")).map((r: any) => r.count)).toEqual(ZONES.map(() => undefined));
    expect(tokyo.resource.aws_route53profiles_association).toBeDefined();
    // Once the association is in the state, the next synth retires them.
    const second = run(profileDoc(), [...pairs, "aws_route53profiles_association.profile"]);
    expect(second.retired.pairs).toEqual({ "spoke-app-tokyo": [...ZONES].sort() });
    expect(second.retired.waiting).toEqual({});
  });

  it("when the state cannot be read at synth (S3 backend), the pairs wait: unknown never counts as associated", () => {
    const spoke = (association: "script" | "profile", pairs: string[]) => ({ role: "spoke" as const, vpcId: "vpc-0a1b2c3d4e5f60001", upstreams: ["hub-tokyo"], providers: [], spoke: { association, vpcRegion: "ap-northeast-1", zoneRoleArn: "arn:aws:iam::111122223333:role/deploy", vpcRoleArn: "arn:aws:iam::222233334444:role/deploy", pairs } });
    const previous = { version: 1 as const, topology: "t", stacks: { "spoke-app-tokyo": spoke("script", [...ZONES]) } };
    const current = new Map([["spoke-app-tokyo", spoke("profile", [])]]);
    const unknown = retirements(previous, current, () => undefined);
    expect([Object.fromEntries(unknown.waiting), Object.fromEntries(unknown.pairs)]).toEqual([{ "spoke-app-tokyo": [...ZONES].sort() }, {}]);
    const seen = retirements(previous, current, () => [PROFILE_ASSOCIATION_ADDRESS, ...ZONES.map(pairAddress)]);
    expect([Object.fromEntries(seen.waiting), Object.fromEntries(seen.pairs)]).toEqual([{}, { "spoke-app-tokyo": [...ZONES].sort() }]);
  });

  it("retires the Tokyo spoke's six script pairs (their disassociate runs) and records the spoke as profile-associated", () => {
    const work = tempDir("profile-switch");
    const pairs = ZONES.map(pairAddress);
    let held: string[] = [];
    const run = (doc: Record<string, any>) => synthIn(work, doc, () => held).result;
    run(exampleDoc());
    held = [...pairs, PROFILE_ASSOCIATION_ADDRESS]; // as after the apply that associated the Profile
    const result = run(profileDoc());
    expect(result.retired.pairs).toEqual({ "spoke-app-tokyo": [...ZONES].sort() });
    const record = readEstate(path.join(work, "topology.estate.json"))!;
    expect(record.stacks["spoke-app-tokyo"].spoke).toMatchObject({ association: "profile", pairs: [], retiredPairs: [...ZONES].sort() });
    const tokyo = JSON.parse(fs.readFileSync(path.join(work, "cdktf.out", "stacks", "spoke-app-tokyo", "cdk.tf.json"), "utf8"));
    // The retired pairs stay with count 0 beside the Profile association until their disassociate has run.
    expect(Object.values(resources(tokyo, "terraform_data")).map((r: any) => r.count)).toEqual(ZONES.map(() => 0));
    expect(tokyo.resource.aws_route53profiles_association).toBeDefined();
  });
});
