/**
 * Rules of hubs shared through a Route 53 Profile (`sharing: profile`): what AWS would refuse at apply
 * (one Profile per VPC, Profiles per account and region, VPCs per Profile) and what the topology cannot
 * mean (`shareWith` without a Profile, `association` on a spoke the Profile serves). Sources: aws/quotas.ts.
 */
import { QUOTAS, quotaValue } from "../aws/quotas";
import { defaultHub, entriesOf, ProblemList, RawVpc, str } from "./rules";

type Raw = Record<string, unknown>;

export function checkProfiles(doc: Raw, out: ProblemList, vpcs: Map<string, RawVpc>): void {
  const declared = typeof doc.quotas === "object" && doc.quotas !== null ? (doc.quotas as Partial<Record<string, number>>) : undefined;
  const hubOf = (entry: Raw) => str(entry.hub) ?? defaultHub(doc);
  const profilesPerRegion = new Map<string, string[]>();
  const profileOfVpc = new Map<string, string>();

  for (const [name, hub] of entriesOf(doc.hubs)) {
    const profile = hub.sharing === "profile";
    if (!profile) {
      if (hub.shareWith !== undefined) {
        out.add(["hubs", name, "shareWith"], "is only for a hub shared through a Route 53 Profile", "add sharing: profile, or remove shareWith");
      }
      continue;
    }
    const vpc = vpcs.get(str(hub.vpc) ?? "");
    if (!vpc?.region || !vpc.account) continue;
    const key = `${vpc.account}|${vpc.region}`;
    profilesPerRegion.set(key, [...(profilesPerRegion.get(key) ?? []), name]);

    const served = entriesOf(doc.spokes).filter(([, s]) => hubOf(s) === name && vpcs.get(str(s.vpc) ?? "")?.region === vpc.region);
    for (const [spoke, s] of served) {
      if (s.association !== undefined) {
        out.add(
          ["spokes", spoke, "association"],
          `does not apply: hub "${name}" is shared through a Route 53 Profile, which this spoke (in the hub's region, ${vpc.region}) associates once`,
          "remove association (it chooses how a spoke in another region joins the zones)",
        );
      }
      const vpcName = str(s.vpc)!;
      const other = profileOfVpc.get(vpcName);
      if (other !== undefined && other !== name) {
        out.add(
          ["spokes", spoke],
          `VPC "${vpcName}" would be associated with the Profiles of hubs "${other}" and "${name}": AWS allows one Profile per VPC (not adjustable)`,
          "join one of the two hubs, or share the other hub's zones (sharing: zones)",
        );
      }
      profileOfVpc.set(vpcName, name);
    }
    const limit = quotaValue("vpcsPerProfile", declared);
    if (served.length > limit) {
      out.add(
        ["hubs", name],
        `${served.length} spokes in ${vpc.region} would associate its Profile, more than the ${limit} VPCs per Profile${declared?.vpcsPerProfile ? " declared" : " AWS allows by default"}`,
        `raise the quota with AWS ("${QUOTAS.vpcsPerProfile.name}") and declare it (quotas: { vpcsPerProfile: <value> }), or split the spokes over two hubs`,
      );
    }
    if (served.length === 0) {
      out.add(
        ["hubs", name, "sharing"],
        `no spoke in the hub's region (${vpc.region}) would use the Profile: it would cost 0.75 USD an hour for nothing`,
        "use sharing: zones (the default), or add the spokes of this region",
      );
    }
  }
  for (const [key, hubs] of profilesPerRegion) {
    const limit = quotaValue("profilesPerRegion", declared);
    if (hubs.length > limit) {
      const [account, region] = key.split("|");
      out.add(
        ["hubs", hubs[limit]],
        `account "${account}" would own ${hubs.length} Route 53 Profiles in ${region} (hubs ${hubs.join(", ")}), more than the ${limit} ${declared?.profilesPerRegion ? "declared" : "AWS allows by default"}`,
        `raise the quota with AWS ("${QUOTAS.profilesPerRegion.name}") and declare it (quotas: { profilesPerRegion: <value> }), or use sharing: zones for some of them`,
      );
    }
  }
}
