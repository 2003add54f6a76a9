/**
 * Builds the pre-existing network a topology refers to (VPCs, subnets, security groups, instances) in an
 * AWS API emulator such as moto, one account at a time (selected by assuming `arn:aws:iam::<id>:role/...`),
 * and returns the ids to write into a topology. Used by the emulator tests and `npm run e2e`.
 */
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, DescribeImagesCommand, EC2Client, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";

export interface EmulatorCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Credentials of an account of the emulator (moto maps assumed-role keys to the role's account). */
export async function accountCredentials(endpoint: string, roleArn: string): Promise<EmulatorCredentials> {
  const sts = new STSClient({ region: "us-east-1", endpoint, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "fixtures" }));
  return { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken };
}

export interface FixtureVpc {
  readonly vpcId: string;
  readonly cidr: string;
  readonly subnets: Array<{ id: string; az: string; cidr: string }>;
}

/** A VPC and its subnets; `az` is a zone name (ap-northeast-1a) or just its letter (a). */
export async function createVpc(
  endpoint: string,
  credentials: EmulatorCredentials,
  region: string,
  cidr: string,
  subnets: Array<{ az: string; cidr: string }>,
): Promise<FixtureVpc> {
  const ec2 = new EC2Client({ region, endpoint, credentials });
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc!;
  const created = [];
  for (const s of subnets) {
    const az = s.az.length === 1 ? `${region}${s.az}` : s.az;
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: s.cidr, AvailabilityZone: az }))).Subnet!;
    created.push({ id: subnet.SubnetId!, az, cidr: s.cidr });
  }
  return { vpcId: vpc.VpcId!, cidr, subnets: created };
}

/** A security group and `count` instances in a subnet, as a service's targets. */
export async function createTargets(
  endpoint: string,
  credentials: EmulatorCredentials,
  region: string,
  vpc: FixtureVpc,
  count: number,
): Promise<{ securityGroupId: string; instanceIds: string[] }> {
  const ec2 = new EC2Client({ region, endpoint, credentials });
  const group = await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc.vpcId, GroupName: `targets-${vpc.vpcId}`, Description: "service targets" }));
  const image = (await ec2.send(new DescribeImagesCommand({}))).Images![0].ImageId!;
  const run = await ec2.send(
    new RunInstancesCommand({ ImageId: image, MinCount: count, MaxCount: count, SubnetId: vpc.subnets[0].id, SecurityGroupIds: [group.GroupId!] }),
  );
  return { securityGroupId: group.GroupId!, instanceIds: run.Instances!.map((i) => i.InstanceId!) };
}
