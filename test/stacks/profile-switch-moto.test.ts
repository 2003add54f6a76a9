/**
 * Switching a hub from its zones to a Route 53 Profile and back, with `privatelink deploy` on the S3 backend
 * (a bucket in moto), on moto behind the gap proxy: the Tokyo VPC's zones are sampled every 250 ms during
 * both deploys and never miss one.
 */
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { zonesOfVpc } from "../../tools/e2e";
import { ProfileEstate, startProfileEstate, ZONES } from "./profile-moto";

let estate: ProfileEstate;

beforeAll(async () => {
  estate = await startProfileEstate("profile-switch");
}, 120_000);

afterAll(async () => {
  await estate?.emulator.stop();
});

it("switching the hub from zones to the Profile and back, on the S3 backend: the Tokyo VPC resolves every zone throughout", async () => {
  // Under S3, synth cannot read the states: the old pairs wait until `privatelink deploy` has seen the
  // Profile association with `terraform state list`.
  const s3 = new S3Client({ region: "ap-northeast-1", endpoint: estate.emulator.url, forcePathStyle: true, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  await s3.send(new CreateBucketCommand({ Bucket: "profile-switch-state", CreateBucketConfiguration: { LocationConstraint: "ap-northeast-1" } }));
  const zones = { sharing: "zones", s3: true } as const;
  const profile = { sharing: "profile", s3: true } as const;
  const tokyo = estate.doc.vpcs["app-tokyo"].vpcId;
  await estate.run(["deploy", "--auto-approve", "--stacks", "hub-tokyo,spoke-app-tokyo"], zones);
  expect(await zonesOfVpc(estate.route53, tokyo)).toEqual([...ZONES].sort());

  const toProfile = await estate.watchResolution(tokyo, () => estate.run(["deploy", "--auto-approve", "--stacks", "hub-tokyo,spoke-app-tokyo"], profile));
  expect(toProfile.samples).toBeGreaterThan(10);
  expect(toProfile.gaps).toEqual([]);
  expect(await zonesOfVpc(estate.route53, tokyo)).toEqual([]); // the old pairs were disassociated after the Profile came
  expect(await estate.resolvedZones(tokyo)).toEqual([...ZONES].sort());
  expect(estate.emulator.proxy.authorizationsLeft()).toEqual([]);

  const toZones = await estate.watchResolution(tokyo, () => estate.run(["deploy", "--auto-approve", "--stacks", "hub-tokyo,spoke-app-tokyo"], zones));
  expect(toZones.gaps).toEqual([]);
  expect(await zonesOfVpc(estate.route53, tokyo)).toEqual([...ZONES].sort());
  expect(estate.emulator.proxy.profiles.vpcAssociations.size).toBe(0);

  await estate.run(["destroy", "--auto-approve", "--stacks", "hub-tokyo,spoke-app-tokyo"], zones);
  expect(estate.emulator.proxy.profiles.profiles.size).toBe(0);
}, 1_200_000);
