/**
 * `sharing: profile` applied for real, with `privatelink deploy/plan/destroy`, on moto behind the gap
 * proxy: the Tokyo spoke accepts the hub's RAM share and associates the Profile, the Osaka spoke keeps the
 * handshake; on day two a spoke in a new account joins and the first leaves; destroy leaves nothing.
 * (The switch between zones and a Profile is profile-switch-moto.test.ts: its own suite, run alongside.)
 */
import * as fs from "fs";
import * as path from "path";
import { zonesOfVpc } from "../../tools/e2e";
import { MIXED_SHARE, ORGANIZATION, ProfileEstate, startProfileEstate, ZONES } from "./profile-moto";

let estate: ProfileEstate;

beforeAll(async () => {
  estate = await startProfileEstate("profile-moto");
}, 120_000);

afterAll(async () => {
  await estate?.emulator.stop();
});

const STACKS = "hub-tokyo,spoke-app-tokyo,spoke-app-osaka";

it("profile mode deploys: Tokyo through the Profile (share accepted), Osaka through the handshake; plans clean; destroys to nothing", async () => {
  await estate.run(["deploy", "--auto-approve", "--stacks", STACKS], { sharing: "profile" });
  const profiles = estate.emulator.proxy.profiles;
  const tokyo = estate.doc.vpcs["app-tokyo"].vpcId;
  const osaka = estate.doc.vpcs["app-osaka"].vpcId;
  expect([...profiles.profiles.values()].map((p) => [p.Name, p.region])).toEqual([["tokyo-hub", "ap-northeast-1"]]);
  expect(profiles.resourceAssociations.size).toBe(6);
  expect([...profiles.vpcAssociations.values()].map((a) => a.ResourceId)).toEqual([tokyo]);
  expect([...profiles.invitations.values()].map((i) => [i.receiver, i.status])).toEqual([[estate.doc.accounts["workload-tokyo"].id, "ACCEPTED"]]);
  expect(await zonesOfVpc(estate.route53, tokyo)).toEqual([]); // no direct association: the Profile serves it
  expect(await estate.resolvedZones(tokyo)).toEqual([...ZONES].sort());
  expect(await zonesOfVpc(estate.route53, osaka)).toEqual([...ZONES].sort());
  expect(estate.emulator.proxy.authorizationsLeft()).toEqual([]);

  const plan = await estate.run(["plan", "--stacks", STACKS, "--summary-json", path.join(estate.work, "plan.json")], { sharing: "profile" });
  expect(JSON.parse(fs.readFileSync(path.join(estate.work, "plan.json"), "utf8")).totals).toEqual({ create: 0, update: 0, delete: 0, replace: 0, import: 0 });
  expect(JSON.parse(fs.readFileSync(path.join(estate.work, "plan.json"), "utf8")).unchanged.sort()).toEqual(STACKS.split(",").sort());
  expect(plan).toContain("## privatelink plan: 0 to create, 0 to update, 0 to replace, 0 to delete");

  // Day two: a spoke of a new account joins; the first Tokyo spoke leaves (its retired stack disassociates the
  // VPC and leaves the share first). The hub now shares with the organization of the example's accounts and,
  // by id, with the new account, which is outside it (a mixed shareWith): the new account is invited and accepts
  // (one rule, sharedByInvitation, for the share and the spokes; an organization principal no longer means "no
  // spoke accepts").
  estate.emulator.proxy.profiles.organizations.set(ORGANIZATION, new Set(Object.values<any>(estate.doc.accounts).map((a) => a.id).filter((id) => id !== "555566667777")));
  const app2 = estate.doc.vpcs["app2-tokyo"].vpcId;
  const DAY_TWO = "hub-tokyo,spoke-app-tokyo,spoke-app2-tokyo,spoke-app-osaka";
  await estate.run(["deploy", "--auto-approve", "--stacks", DAY_TWO], { sharing: "profile", dayTwo: true, mixedShare: true });
  expect([...profiles.vpcAssociations.values()].map((a) => a.ResourceId)).toEqual([app2]);
  expect(await estate.resolvedZones(app2)).toEqual([...ZONES].sort());
  expect(await estate.resolvedZones(tokyo)).toEqual([]);
  expect([...profiles.shares.values()].map((share) => [...share.principals].sort())).toEqual([[...MIXED_SHARE].sort()]);
  expect([...profiles.invitations.values()].filter((i) => i.status === "ACCEPTED").map((i) => i.receiver)).toEqual(["555566667777"]);
  expect(await zonesOfVpc(estate.route53, osaka)).toEqual([...ZONES].sort());
  const record = JSON.parse(fs.readFileSync(path.join(estate.work, "topology.estate.json"), "utf8"));
  expect(Object.keys(record.stacks)).not.toContain("spoke-app-tokyo"); // its state is empty: pruned
  expect(record.stacks["spoke-app2-tokyo"].spoke).toMatchObject({ association: "profile", pairs: [] });
  const planTwo = await estate.run(["plan", "--stacks", "hub-tokyo,spoke-app2-tokyo,spoke-app-osaka", "--summary-json", path.join(estate.work, "plan2.json")], { sharing: "profile", dayTwo: true, mixedShare: true });
  expect(JSON.parse(fs.readFileSync(path.join(estate.work, "plan2.json"), "utf8")).totals).toEqual({ create: 0, update: 0, delete: 0, replace: 0, import: 0 });
  expect(planTwo).toContain("0 to delete");

  await estate.run(["destroy", "--auto-approve", "--stacks", "hub-tokyo,spoke-app2-tokyo,spoke-app-osaka"], { sharing: "profile", dayTwo: true, mixedShare: true });
  expect([profiles.profiles.size, profiles.resourceAssociations.size, profiles.vpcAssociations.size, profiles.shares.size, profiles.invitations.size]).toEqual([0, 0, 0, 0, 0]);
  expect(await zonesOfVpc(estate.route53, osaka)).toEqual([]);
}, 1_800_000);
