/**
 * A hub and one spoke built from privatelink-cdktf's constructs directly, with no topology file:
 * what a team does when it wants its own stack shape.
 *
 *   npm install privatelink-cdktf cdktf constructs @cdktf/provider-aws
 *   npx tsc && node hub-and-spoke.js        # writes cdktf.out/stacks/{hub,spoke}/cdk.tf.json
 *
 * - hub (network account, Tokyo): Session Manager's three interface endpoints with private DNS off,
 *   one private hosted zone per name their clients use, behind a 443-only security group;
 * - spoke (workload account, Osaka): joins every hub zone through the cross-account handshake. The zone
 *   ids are tokens of the hub stack: cdktf passes them through the hub's state.
 */
import { App, LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import {
  AccountRegionProvider,
  CentralizedEndpoint,
  CentralizedZone,
  IngressSecurityGroup,
  planServiceDns,
  ZoneAssociationScript,
} from "privatelink-cdktf";

const hubAccount = { name: "network-hub", id: "111122223333", deployRoleArn: "arn:aws:iam::111122223333:role/privatelink-deployer" };
const spokeAccount = { name: "workload", id: "333344445555", deployRoleArn: "arn:aws:iam::333344445555:role/privatelink-deployer" };
const hubVpc = { id: "vpc-0a1b2c3d4e5f60001", region: "ap-northeast-1", cidr: "10.0.0.0/16", subnets: ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"] };
const spokeVpc = { id: "vpc-0a1b2c3d4e5f60003", region: "ap-northeast-3", cidr: "10.2.0.0/16" };

class HubStack extends TerraformStack {
  readonly zones: CentralizedZone[] = [];

  constructor(scope: Construct, id: string) {
    super(scope, id);
    new LocalBackend(this, { path: "../../../terraform.hub.tfstate" });
    const { provider } = new AccountRegionProvider(this, "network-hub", { account: hubAccount, region: hubVpc.region });
    const clients = new IngressSecurityGroup(this, "endpoint-sg", {
      provider,
      vpcId: hubVpc.id,
      name: "hub-endpoints",
      description: "HTTPS to the hub's endpoints from the hub and its spoke",
      ingress: [{ protocol: "tcp", port: 443, cidrs: [hubVpc.cidr, spokeVpc.cidr], description: "HTTPS from hub clients" }],
    });
    for (const service of ["ssm", "ssmmessages", "ec2messages"]) {
      const endpoint = new CentralizedEndpoint(this, service, {
        provider,
        vpcId: hubVpc.id,
        vpcRegion: hubVpc.region,
        subnetIds: hubVpc.subnets,
        securityGroupIds: [clients.securityGroupId],
        service: planServiceDns(service, hubVpc.region),
        hubName: "tokyo",
      });
      this.zones.push(...endpoint.zones);
    }
  }
}

class SpokeStack extends TerraformStack {
  constructor(scope: Construct, id: string, hub: HubStack) {
    super(scope, id);
    new LocalBackend(this, { path: "../../../terraform.spoke.tfstate" });
    // The spoke's account provider: the stack works in that account and region.
    new AccountRegionProvider(this, "workload", { account: spokeAccount, region: spokeVpc.region });
    for (const zone of hub.zones) {
      new ZoneAssociationScript(this, zone.name, {
        zoneId: zone.zoneId,
        zoneName: zone.name,
        vpcId: spokeVpc.id,
        vpcRegion: spokeVpc.region,
        zoneRoleArn: hubAccount.deployRoleArn,
        vpcRoleArn: spokeAccount.deployRoleArn,
      });
    }
    new TerraformOutput(this, "zones", { value: hub.zones.map((z) => z.name) });
  }
}

const app = new App({ outdir: process.env.CDKTF_OUTDIR || "cdktf.out" });
const hub = new HubStack(app, "hub");
new SpokeStack(app, "spoke", hub);
app.synth();
