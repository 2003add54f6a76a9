/**
 * The same-account path of the handshake against moto (a real third-party AWS emulator) behind the
 * gap proxy, as the product uses it: moto implements association within one account; the proxy adds
 * what moto lacks (ConflictingDomainExists on a re-association). The cross-account calls are covered by
 * the Route 53 wire emulator (tools/route53-emulator.ts).
 */
import { CreateHostedZoneCommand, GetHostedZoneCommand, Route53Client } from "@aws-sdk/client-route-53";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { associate, disassociate } from "../../cli/phz-handshake/protocol";
import { accountCredentials, createVpc } from "../../tools/emulator-fixtures";
import { Moto, startMoto } from "../../tools/moto";
import { MotoGapProxy } from "../../tools/moto-gap-proxy";

const ACCOUNT = "111122223333";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/privatelink-deployer`;
let moto: Moto;
let proxy: MotoGapProxy;
const lines: string[] = [];
const config = { timeoutMs: 20_000, retryBaseMs: 10, pollMs: 10, log: (l: string) => lines.push(l) };

beforeAll(async () => {
  moto = await startMoto();
  proxy = new MotoGapProxy(moto.url);
  await proxy.start();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: proxy.url,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: "us-east-1",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  });
});
afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

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
    const credentials = await accountCredentials(proxy.url, ROLE);
    const hub = await createVpc(proxy.url, credentials, "ap-northeast-1", "10.0.0.0/16", [{ az: "a", cidr: "10.0.1.0/24" }]);
    const spoke = await createVpc(proxy.url, credentials, "ap-northeast-1", "10.1.0.0/16", [{ az: "a", cidr: "10.1.1.0/24" }]);
    const zone = await client.send(
      new CreateHostedZoneCommand({
        Name: "ssm.ap-northeast-1.amazonaws.com",
        CallerReference: `t-${Date.now()}`,
        HostedZoneConfig: { PrivateZone: true, Comment: "test" },
        VPC: { VPCId: hub.vpcId, VPCRegion: "ap-northeast-1" },
      }),
    );
    const zoneId = zone.HostedZone!.Id!.replace("/hostedzone/", "");
    const req = { zoneId, vpcId: spoke.vpcId, vpcRegion: "ap-northeast-1", zoneRoleArn: ROLE, vpcRoleArn: ROLE };

    const first = await associate(req, config);
    expect(first.result).toBe("associated");
    expect(first.route53Calls.filter((c) => c !== "GetChange")).toEqual(["AssociateVPCWithHostedZone"]);
    expect(await vpcsOf(client, zoneId)).toEqual([`${hub.vpcId}@ap-northeast-1`, `${spoke.vpcId}@ap-northeast-1`].sort());

    const second = await associate(req, config);
    expect(second).toMatchObject({ result: "already-associated", route53Calls: ["AssociateVPCWithHostedZone", "ListHostedZonesByVPC"] });

    const gone = await disassociate(req, config);
    expect(gone.result).toBe("disassociated");
    expect(await vpcsOf(client, zoneId)).toEqual([`${hub.vpcId}@ap-northeast-1`]);
    expect(lines.some((l) => l.includes("Authorization"))).toBe(false);
  });
});
