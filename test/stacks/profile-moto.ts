/**
 * The estate the Route 53 Profile suites apply on moto behind the gap proxy (whose Route 53 Profiles and
 * RAM come from tools/profiles-ram-emulator.ts): the example's network plus, for day two, a VPC of another
 * account in the hub's region; `privatelink` run on a variant of the topology; what a VPC resolves.
 */
import * as fs from "fs";
import * as path from "path";
import { ListHostedZonesCommand, Route53Client } from "@aws-sdk/client-route-53";
import { main as privatelink } from "../../cli/privatelink";
import { zonesOfVpc } from "../../tools/e2e";
import { Emulator, readTopologyDoc, startEmulator } from "../../tools/emulator";
import { terraformEnv } from "../../tools/terraform-env";
import { EXAMPLE, tempDir } from "../helpers";

export const ZONES = ["ec2messages", "s3-accesspoint", "s3-control", "s3", "ssm", "ssmmessages"].map((s) => `${s}.ap-northeast-1.amazonaws.com`);

export interface Variant {
  readonly sharing: "zones" | "profile";
  /** Day two: app2-tokyo joins, app-tokyo leaves. */
  readonly dayTwo?: boolean;
  /** The S3 backend (bucket `profile-switch-state` in moto) instead of local state files. */
  readonly s3?: boolean;
  /** The hub shares with an organization and, by id, an account outside it (MIXED_SHARE). */
  readonly mixedShare?: boolean;
}

/** An organization (its members: the example's accounts) and an account outside it: a mixed shareWith. */
export const ORGANIZATION = "arn:aws:organizations::111122223333:organization/o-exampleorg1";
export const MIXED_SHARE = [ORGANIZATION, "555566667777"];

export interface ProfileEstate {
  readonly emulator: Emulator;
  readonly work: string;
  /** The example topology with the emulator's ids (and the day-two VPC). */
  readonly doc: Record<string, any>;
  /** Route 53 as the hub account. */
  readonly route53: Route53Client;
  /** Runs `privatelink <args>` on the variant; fails the test with the logs unless it exits 0. */
  run(args: string[], variant: Variant): Promise<string>;
  /** Zones a VPC resolves: associated directly, or through the Profile it is associated with. */
  resolvedZones(vpcId: string): Promise<string[]>;
  /** Runs `work` while sampling every 250 ms what the VPC resolves; returns the samples that missed a zone. */
  watchResolution(vpcId: string, work: () => Promise<unknown>): Promise<{ samples: number; gaps: string[][] }>;
}

export async function startProfileEstate(name: string): Promise<ProfileEstate> {
  const work = tempDir(name);
  const emulator = await startEmulator();
  const source = readTopologyDoc(EXAMPLE);
  // Day two's new spoke: a VPC of another account in the hub's region (created now, joined later).
  source.accounts["workload-tokyo-2"] = { id: "555566667777", deployRoleArn: "arn:aws:iam::555566667777:role/privatelink-deployer" };
  source.vpcs["app2-tokyo"] = {
    account: "workload-tokyo-2",
    region: "ap-northeast-1",
    vpcId: "vpc-0a1b2c3d4e5f60077",
    cidr: "10.77.0.0/16",
    subnets: [
      { id: "subnet-0a1b2c3d4e5f60771", az: "ap-northeast-1a", cidr: "10.77.1.0/24" },
      { id: "subnet-0a1b2c3d4e5f60772", az: "ap-northeast-1c", cidr: "10.77.2.0/24" },
    ],
  };
  const doc = await emulator.prepare(source);
  doc.backend = { kind: "local", directory: path.relative(process.cwd(), path.join(work, "state")) };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TOPOLOGY: path.join(work, "topology.json"),
    TARGET_ENDPOINT: emulator.url,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    TF_CLI_CONFIG_FILE: terraformEnv(path.join(work, "tf")).cliConfig,
    CDKTF_OUTDIR: path.join(work, "cdktf.out"),
  };
  const hubAccount = doc.accounts[doc.vpcs[doc.hubs.tokyo.vpc].account].id;
  const route53 = new Route53Client({ region: "us-east-1", endpoint: emulator.url, credentials: await emulator.credentials(hubAccount) });

  const run = async (args: string[], variant: Variant): Promise<string> => {
    const topology = JSON.parse(JSON.stringify(doc));
    topology.hubs.tokyo.sharing = variant.sharing;
    if (variant.dayTwo) {
      delete topology.spokes["app-tokyo"];
      topology.spokes["app2-tokyo"] = { vpc: "app2-tokyo" };
    }
    if (variant.mixedShare) topology.hubs.tokyo.shareWith = MIXED_SHARE;
    if (variant.s3) topology.backend = { kind: "s3", bucket: "profile-switch-state", region: "ap-northeast-1", keyPrefix: "switch" };
    fs.writeFileSync(env.TOPOLOGY!, JSON.stringify(topology, null, 2));
    let text = "";
    const code = await privatelink(args, env, { out: (t) => (text += t), err: (t) => (text += t) });
    const logs = path.join(env.CDKTF_OUTDIR!, "logs", args[0]);
    const failedLogs = code === 0 || !fs.existsSync(logs) ? "" : fs.readdirSync(logs).map((f) => `${f}:\n${fs.readFileSync(path.join(logs, f), "utf8").slice(-3000)}`).join("\n");
    expect({ code, tail: code === 0 ? "" : `${text.slice(-2000)}\n${failedLogs}` }).toEqual({ code: 0, tail: "" });
    return text;
  };

  const resolvedZones = async (vpcId: string): Promise<string[]> => {
    const direct = await zonesOfVpc(route53, vpcId);
    const profiles = emulator.proxy.profiles;
    const association = [...profiles.vpcAssociations.values()].find((a) => a.ResourceId === vpcId);
    const viaProfile: string[] = [];
    if (association) {
      const names = new Map(((await route53.send(new ListHostedZonesCommand({}))).HostedZones ?? []).map((z) => [z.Id!.replace("/hostedzone/", ""), z.Name!.replace(/\.$/, "")]));
      for (const r of profiles.resourceAssociations.values()) {
        const zone = names.get(r.ResourceArn.split("/").pop()!);
        if (r.ProfileId === association.ProfileId && zone) viaProfile.push(zone);
      }
    }
    return [...new Set([...direct, ...viaProfile])].sort();
  };

  const watchResolution = async (vpcId: string, during: () => Promise<unknown>) => {
    let done = false;
    let samples = 0;
    const gaps: string[][] = [];
    const sampler = (async () => {
      while (!done) {
        const zones = await resolvedZones(vpcId).catch(() => undefined);
        if (zones) {
          samples++;
          if (zones.length < ZONES.length) gaps.push(zones);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    try {
      await during();
    } finally {
      done = true;
      await sampler;
    }
    return { samples, gaps };
  };

  return { emulator, work, doc, route53, run, resolvedZones, watchResolution };
}
