/**
 * The same-account path of the handshake against moto (a real third-party AWS emulator): moto
 * implements association within one account, not the cross-account authorization calls, which the
 * Route 53 emulator of test/emulator covers.
 */
import { CreateHostedZoneCommand, GetHostedZoneCommand, Route53Client } from "@aws-sdk/client-route-53";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { associate, disassociate } from "../../cli/phz-handshake/protocol";
import { Moto, startMoto } from "../../tools/moto";

const ACCOUNT = "111122223333";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/privatelink-deployer`;
let moto: Moto;
const lines: string[] = [];
const config = { timeoutMs: 20_000, retryBaseMs: 10, pollMs: 10, log: (l: string) => lines.push(l) };

beforeAll(async () => {
  moto = await startMoto();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.url,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: "us-east-1",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  });
});
afterAll(() => moto?.stop());

async function hubClient(): Promise<Route53Client> {
  const sts = new STSClient({ region: "us-east-1" });
  const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "test" }));
  return new Route53Client({ region: "us-east-1", credentials: { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken } });
}

const vpcsOf = async (client: Route53Client, zoneId: string) =>
  ((await client.send(new GetHostedZoneCommand({ Id: zoneId }))).VPCs ?? []).map((v) => `${v.VPCId}@${v.VPCRegion}`).sort();

describe("phz-handshake on moto, same account", () => {
  it("associates without any authorization, is idempotent, and disassociates", async () => {
    const client = await hubClient();
    const zone = await client.send(
      new CreateHostedZoneCommand({
        Name: "ssm.ap-northeast-1.amazonaws.com",
        CallerReference: `t-${Date.now()}`,
        HostedZoneConfig: { PrivateZone: true, Comment: "test" },
        VPC: { VPCId: "vpc-0a1b2c3d4e5f60001", VPCRegion: "ap-northeast-1" },
      }),
    );
    const zoneId = zone.HostedZone!.Id!.replace("/hostedzone/", "");
    const req = { zoneId, vpcId: "vpc-0a1b2c3d4e5f60002", vpcRegion: "ap-northeast-1", zoneRoleArn: ROLE, vpcRoleArn: ROLE };

    const first = await associate(req, config);
    expect(first.result).toBe("associated");
    expect(first.route53Calls.filter((c) => c !== "GetChange")).toEqual(["ListHostedZonesByVPC", "AssociateVPCWithHostedZone"]);
    expect(await vpcsOf(client, zoneId)).toEqual(["vpc-0a1b2c3d4e5f60001@ap-northeast-1", "vpc-0a1b2c3d4e5f60002@ap-northeast-1"]);

    const second = await associate(req, config);
    expect(second).toMatchObject({ result: "already-associated", route53Calls: ["ListHostedZonesByVPC"] });

    const gone = await disassociate(req, config);
    expect(gone.result).toBe("disassociated");
    expect(await vpcsOf(client, zoneId)).toEqual(["vpc-0a1b2c3d4e5f60001@ap-northeast-1"]);
    expect(lines.some((l) => l.includes("Authorization"))).toBe(false);
  });
});
