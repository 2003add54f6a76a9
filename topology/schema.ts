/**
 * The topology file's structure: the single source of truth for both the validator
 * (structural checks, see `load.ts`) and the published JSON Schema (`npm run schema`).
 * Cross-field rules (references, overlaps, AZ spread...) live in `rules.ts`.
 */
import { z } from "zod";
import { MAX_ENDPOINT_POLICY_CHARS, ORGANIZATION_ID } from "../aws/endpoint-policies";
import { ADJUSTABLE_QUOTAS, QUOTAS } from "../aws/quotas";
import { ACCOUNT_ID, AZ_ID, AZ_NAME, ORGANIZATION_PRINCIPAL, REGION, ROLE_ARN, S3_BUCKET, S3_KEY_PREFIX, SECURITY_GROUP_ID, SUBNET_ID, TAG_KEY, TAG_VALUE, VPC_ID } from "../aws/patterns";

const OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
const IPV4 = `${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}`;

export const NAME_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;
const name = (what: string, description = `Name of a ${what} declared in this file.`) =>
  z
    .string()
    .regex(NAME_PATTERN, {
      error: `${what} names use lowercase letters, digits and hyphens, start with a letter, at most 40 characters`,
    })
    .meta({ description });

const accountId = z
  .string({ error: quotedDigits })
  .regex(ACCOUNT_ID, { error: "must be a 12-digit AWS account id, e.g. \"111111111111\"" })
  .meta({ description: "12-digit AWS account id, quoted so YAML keeps leading zeros." });

/** YAML reads unquoted digits as a number: say how to write an id so it survives. */
function quotedDigits(issue: { input?: unknown }): string {
  if (typeof issue.input === "number") {
    return "must be a quoted string: YAML reads unquoted digits as a number (and drops leading zeros); write it in quotes, e.g. \"012345678901\"";
  }
  return "must be a string";
}

const region = z
  .string()
  .regex(REGION, { error: "must be an AWS region code such as ap-northeast-1" })
  .meta({ description: "AWS region code, e.g. ap-northeast-1." });

const roleArn = z
  .string()
  .regex(ROLE_ARN, {
    error: "must be an IAM role ARN, e.g. arn:aws:iam::111111111111:role/privatelink-deployer (role names and paths use letters, digits and + = , . @ _ -)",
  });

const cidr = z
  .string()
  .regex(new RegExp(`^${IPV4}/(3[0-2]|[12]?[0-9])$`), { error: "must be an IPv4 CIDR block such as 10.0.0.0/16" })
  .meta({ description: "IPv4 CIDR block, network address only (no host bits), e.g. 10.0.0.0/16." });

const ipv4 = z.string().regex(new RegExp(`^${IPV4}$`), { error: "must be an IPv4 address such as 10.0.1.10" });

const awsId = (pattern: RegExp, prefix: string, example: string) =>
  z.string().regex(pattern, { error: `must be an id of the form ${prefix}-<8 or 17 hex digits>, e.g. ${example}` });
const vpcId = awsId(VPC_ID, "vpc", "vpc-0a1b2c3d4e5f60718");
const subnetId = awsId(SUBNET_ID, "subnet", "subnet-0a1b2c3d4e5f60718");
const securityGroupId = awsId(SECURITY_GROUP_ID, "sg", "sg-0a1b2c3d4e5f60718");

const port = z
  .number({ error: "must be a port number" })
  .int({ error: "must be a whole number" })
  .min(1, { error: "must be a port between 1 and 65535" })
  .max(65535, { error: "must be a port between 1 and 65535" });

export const AccountSchema = z
  .strictObject({
    id: accountId,
    deployRoleArn: roleArn.meta({
      description: "Role the AWS provider assumes in this account (its account id must be this account's).",
    }),
    description: z.string().optional(),
  })
  .meta({ description: "An AWS account that holds VPCs of this topology." });

export const SubnetSchema = z.strictObject({
  id: subnetId,
  az: z
    .string()
    .regex(AZ_NAME, { error: "must be an availability zone name such as ap-northeast-1a" })
    .meta({ description: "Availability zone name, e.g. ap-northeast-1a." }),
  azId: z
    .string()
    .regex(AZ_ID, { error: "must be an availability zone id such as apne1-az4" })
    .optional()
    .meta({ description: "Availability zone id (e.g. apne1-az4), stable across accounts; recommended for PrivateLink." }),
  cidr,
});

export const VpcSchema = z
  .strictObject({
    account: name("account"),
    region,
    vpcId,
    cidr,
    subnets: z.array(SubnetSchema).min(1, { error: "must list at least one subnet" }),
  })
  .meta({ description: "An existing VPC: this tool never creates VPCs or subnets." });

export const HubServiceSchema = z.union([
  z.string().min(1).meta({
    description: "Service short name (ssm, ecr.api, s3...) or full name (com.amazonaws.<region>.<svc>).",
  }),
  z.strictObject({
    name: z.string().min(1),
    type: z
      .enum(["interface", "gateway"])
      .optional()
      .meta({ description: "Endpoint type. Only interface endpoints can be centralized." }),
    dnsNames: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .meta({
        description:
          "Override the catalog: DNS names the service's clients use (apex or *.wildcard); one private hosted zone per distinct apex.",
      }),
    dualStack: z
      .boolean()
      .optional()
      .meta({ description: "Also create the <svc>.<region>.api.aws names for services that publish dual-stack endpoints." }),
    unlisted: z
      .boolean()
      .optional()
      .meta({
        description:
          "The service is not in this release's list of AWS interface endpoint services (AWS added it later): use the name as given. Without it, an unknown name is an error (usually a typo).",
      }),
    policyFile: z
      .string()
      .min(1)
      .optional()
      .meta({
        description: `This service's VPC endpoint policy (JSON), from a file in the topology's directory (a path relative to it; at most ${MAX_ENDPOINT_POLICY_CHARS} characters). Overrides the hub's endpointPolicy for this service.`,
      }),
  }),
]);

export const ResolverSchema = z
  .strictObject({
    subnets: z
      .array(subnetId)
      .min(2, { error: "needs at least two subnets in different availability zones" })
      .optional()
      .meta({ description: "Subnets for the inbound endpoint when AWS assigns the IPs (default: the hub's subnets)." }),
    ipAddresses: z
      .array(z.strictObject({ subnet: subnetId, ip: ipv4 }))
      .min(2, { error: "needs at least two addresses in different availability zones" })
      .max(QUOTAS.resolverIpsPerEndpoint.default, { error: `AWS allows at most ${QUOTAS.resolverIpsPerEndpoint.default} addresses per Resolver endpoint` })
      .optional()
      .meta({ description: "Pinned inbound IPs (recommended: on-prem forwarders point at them, so they must not move)." }),
    securityGroupId: securityGroupId
      .optional()
      .meta({
        description:
          "An existing security group for the endpoint (an adopted estate: `privatelink import` sets it): its DNS rules from the on-prem networks are managed here, its other rules left alone. Default: the product creates the group.",
      }),
  })
  .meta({ description: "Route 53 Resolver inbound endpoint, created when on-prem networks use this hub." });

export const HubSchema = z
  .strictObject({
    vpc: name("vpc"),
    subnets: z
      .array(subnetId)
      .min(1)
      .optional()
      .meta({ description: "Subnets for the endpoints (default: every subnet of the VPC). At least two AZs." }),
    services: z.array(HubServiceSchema).min(1, { error: "must list at least one service" }),
    allowedCidrs: z
      .array(cidr)
      .optional()
      .meta({
        description:
          "Extra client CIDRs allowed on 443, besides the hub VPC, its spokes and its on-prem networks, which are always allowed.",
      }),
    resolver: ResolverSchema.optional(),
    securityGroupId: securityGroupId
      .optional()
      .meta({
        description:
          "An existing security group for the hub's endpoints (an adopted estate: `privatelink import` sets it): its 443 rules from the hub's clients are managed here, its other rules left alone. Default: the product creates the group.",
      }),
    endpointPolicy: z
      .strictObject({
        organizationId: z
          .string()
          .regex(ORGANIZATION_ID, { error: "must be an organization id: o- and 10 to 32 lower-case letters and digits" })
          .meta({ description: "Only principals of this organization may use the hub's endpoints (aws:PrincipalOrgID); S3 also only the organization's buckets (aws:ResourceOrgID)." }),
      })
      .optional()
      .meta({ description: "The policy of every endpoint of the hub (a service's policyFile overrides it). Without one, the endpoints keep AWS's default: full access for anything that reaches them (synth warns)." }),
    sharing: z
      .enum(["zones", "profile"])
      .optional()
      .meta({
        description:
          "zones (default): each spoke VPC joins each zone (the handshake, any region). profile: the zones go into one Route 53 Profile shared through AWS RAM; spokes in the hub's region associate it once, spokes in other regions keep joining the zones.",
      }),
    shareWith: z
      .array(
        z
          .string()
          .refine((v) => ACCOUNT_ID.test(v) || ORGANIZATION_PRINCIPAL.test(v), {
            error: "must be a 12-digit account id or an organization or OU ARN (arn:aws:organizations::<account>:organization/o-... or ...:ou/o-.../ou-...)",
          }),
      )
      .min(1)
      .optional()
      .meta({
        description:
          "sharing: profile only. RAM principals the Profile is shared with (default: the accounts of the spokes in the hub's region). An organization or OU needs RAM sharing enabled in the organization and no acceptance; accounts accept an invitation.",
      }),
  })
  .meta({ description: "A hub VPC holding centralized interface endpoints and their private hosted zones." });

export const SpokeSchema = z
  .strictObject({
    vpc: name("vpc"),
    hub: name("hub").optional().meta({ description: "Hub whose zones this VPC joins (default: the only hub)." }),
    association: z
      .enum(["script", "native"])
      .optional()
      .meta({
        description:
          "script (default): temporary authorization deleted after the association. native: Terraform resources only, the authorization stays.",
      }),
  })
  .meta({ description: "A VPC that resolves the hub's service names to the hub's endpoints." });

export const OnPremSchema = z
  .strictObject({
    cidrs: z.array(cidr).min(1, { error: "must list at least one CIDR" }),
    hub: name("hub").optional().meta({ description: "Hub that serves this network (default: the only hub)." }),
  })
  .meta({ description: "An on-premises network reaching a hub over VPN or Direct Connect." });

export const ListenerSchema = z.strictObject({
  port,
  targetPort: port.optional().meta({ description: "Port on the targets (default: the listener port)." }),
});

const elbNameString = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/, { error: "must be a load balancer or target group name: 1-32 letters, digits and hyphens, not starting or ending with a hyphen" });

export const ExistingLoadBalancerSchema = z
  .strictObject({
    name: elbNameString
      .optional()
      .meta({ description: "The load balancer's name (default: the service's name, shortened to 32 characters). Fixed at creation: `privatelink import` sets it to keep a load balancer built elsewhere." }),
    securityGroupId: z
      .union([securityGroupId, z.literal("none")])
      .optional()
      .meta({
        description:
          "An existing security group of the load balancer (its listener and target rules are managed here, its other rules left alone), or none: the load balancer was created without a security group and keeps none (AWS cannot add one without replacing it; the targets' own groups then filter the clients). Default: the product creates the group.",
      }),
    targetGroups: z
      .record(z.string().regex(/^[1-9][0-9]{0,4}$/, { error: "must be a target port" }), elbNameString)
      .optional()
      .meta({ description: "Target group names by target port (default: <service>-<port>). Fixed at creation: `privatelink import` sets them to keep target groups built elsewhere." }),
  })
  .meta({ description: "What an existing load balancer was built with (an adopted estate): kept as it is, since AWS fixes it at creation." });

export const ServiceProviderSchema = z
  .strictObject({
    vpc: name("vpc"),
    subnets: z
      .array(subnetId)
      .min(1)
      .optional()
      .meta({ description: "Private subnets of the NLB (default: every subnet of the VPC). At least two AZs." }),
    listeners: z.array(ListenerSchema).min(1, { error: "must list at least one listener" }),
    targets: z.strictObject({
      type: z.enum(["instance", "ip"]),
      ids: z.array(z.string().min(1)).min(1, { error: "must list at least one target" }).meta({
        description: "Instance ids (type instance) or IPv4 addresses (type ip).",
      }),
      securityGroupId: securityGroupId
        .optional()
        .meta({ description: "The targets' security group: gets the listener ports from the NLB's security group." }),
    }),
    acceptanceRequired: z.boolean().optional().meta({ description: "Default true." }),
    allowedPrincipals: z
      .array(z.string().min(1))
      .optional()
      .meta({ description: "Default: the consumers' account roots. \"*\" needs allowAnyPrincipal: true." }),
    allowAnyPrincipal: z.boolean().optional(),
    supportedRegions: z
      .array(region)
      .optional()
      .meta({ description: "Default: derived from the consumers' regions (plus the service's own)." }),
    privateDnsName: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "Private DNS name for consumers; the owner must verify the domain (TXT record, see the stack's outputs)." }),
    allowSingleAz: z
      .boolean()
      .optional()
      .meta({ description: "Accept an NLB in one AZ (never with cross-region consumers). Default false: two AZs at least." }),
    loadBalancer: ExistingLoadBalancerSchema.optional(),
  })
  .meta({ description: "Service owner side: NLB + VPC endpoint service in the owner's account." });

export const ConsumerSchema = z.strictObject({
  vpc: name("vpc"),
  subnets: z
    .array(subnetId)
    .min(1)
    .optional()
    .meta({ description: "Subnets of the interface endpoint (default: every subnet of the VPC)." }),
  allowedCidrs: z
    .array(cidr)
    .min(1, { error: "must list at least one client CIDR: an endpoint nobody may reach is useless; omit allowedCidrs to admit the consumer VPC" })
    .optional()
    .meta({ description: "Clients allowed to reach the endpoint (default: the consumer VPC's CIDR)." }),
  acceptance: z
    .enum(["auto", "manual"])
    .optional()
    .meta({ description: "auto (default): the consumer stack accepts the connection as the owner. manual: outputs the command." }),
  privateDns: z
    .boolean()
    .optional()
    .meta({ description: "Enable the service's private DNS name on this endpoint once the connection is accepted (needs provider.privateDnsName)." }),
  securityGroupId: securityGroupId
    .optional()
    .meta({
      description:
        "An existing security group for the endpoint (an adopted estate: `privatelink import` sets it): its rules for the service ports from allowedCidrs are managed here, its other rules left alone. Default: the product creates the group.",
    }),
});

export const PrivateLinkServiceSchema = z
  .strictObject({
    provider: ServiceProviderSchema.optional(),
    awsService: z
      .strictObject({
        name: z.string().min(1),
        region,
        type: z.enum(["interface", "gateway"]).optional().meta({ description: "Only interface endpoints can be consumed this way." }),
        unlisted: z.boolean().optional().meta({ description: "The service is not in this release's list of AWS services (see hubs.services)." }),
      })
      .optional()
      .meta({ description: "Consume an AWS-owned service (e.g. s3 in us-east-1) instead of an own NLB service." }),
    consumers: z.record(name("consumer"), ConsumerSchema),
  })
  .meta({ description: "A PrivateLink service and the VPCs that consume it." });

export const BackendSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("local"),
    directory: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "Where state files go, relative to the working directory of the synth (default: \".\")." }),
  }),
  z.strictObject({
    kind: z.literal("s3"),
    bucket: z.string().regex(S3_BUCKET, { error: "must be an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens" }),
    region,
    keyPrefix: z
      .string()
      .regex(S3_KEY_PREFIX, { error: "must use only letters, digits, / and ! - _ . * ' ( ) (the characters S3 calls safe), at most 512" })
      .optional()
      .meta({ description: "Key prefix; each stack stores <prefix>/<stack>.tfstate (\"\": <stack>.tfstate at the bucket's root). Default: the topology's name." }),
    useLockfile: z.boolean().optional().meta({ description: "S3 native locking (Terraform >= 1.10). Default true." }),
    roleArn: roleArn.optional().meta({ description: "Role to assume for state access." }),
  }),
]);

export const QuotasSchema = z
  .strictObject(
    Object.fromEntries(
      ADJUSTABLE_QUOTAS.map((key) => [
        key,
        z
          .number()
          .int({ error: "must be a whole number" })
          .min(1, { error: "must be a positive number" })
          .optional()
          .meta({ description: `${QUOTAS[key].name} (${QUOTAS[key].scope}): the value your accounts have after a raise. AWS's default: ${QUOTAS[key].default}.` }),
      ]),
    ) as Record<(typeof ADJUSTABLE_QUOTAS)[number], z.ZodOptional<z.ZodNumber>>,
  )
  .meta({ description: "AWS quotas your accounts have raised: validation holds the topology to these instead of AWS's defaults." });

export const TargetSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("aws") }),
  z.strictObject({
    kind: z.literal("local"),
    endpoint: z
      .url({ error: "must be the emulator URL, e.g. http://127.0.0.1:5000" })
      .refine((u) => !/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(u), {
        error: "holds credentials (user:password@): they would be written into every stack and the estate record; the emulator needs none",
      })
      .refine((u) => /^https?:\/\//i.test(u), { error: "must be an http or https URL" })
      .meta({ description: "AWS API emulator (moto, LocalStack) serving every service on one URL." }),
  }),
]);

export const TopologySchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: name("topology", "Name of this topology: tagged on every resource (privatelink-cdktf:topology), default S3 state key prefix."),
    description: z.string().optional(),
    target: TargetSchema.optional(),
    backend: BackendSchema.optional(),
    quotas: QuotasSchema.optional(),
    tags: z
      .record(
        z.string().regex(TAG_KEY, { error: "tag keys are 1-128 letters, digits, spaces and _ . : / = + - @, not starting with aws: (AWS's own)" }),
        z.string().regex(TAG_VALUE, { error: "tag values are at most 256 letters, digits, spaces and _ . : / = + - @ (AWS's character set)" }),
      )
      .optional()
      .meta({ description: "Extra default tags on everything this tool creates (AWS's tag character set)." }),
    accounts: z.record(name("account"), AccountSchema),
    vpcs: z.record(name("vpc"), VpcSchema),
    hubs: z.record(name("hub"), HubSchema).optional(),
    spokes: z.record(name("spoke"), SpokeSchema).optional(),
    onPrem: z.record(name("on-prem network"), OnPremSchema).optional(),
    privateLink: z.record(name("PrivateLink service"), PrivateLinkServiceSchema).optional(),
  })
  .meta({
    title: "privatelink-cdktf topology",
    description: "Accounts, regions and VPCs of a hub-and-spoke VPC endpoint and PrivateLink estate.",
  });

export type Topology = z.infer<typeof TopologySchema>;
export type AccountSpec = z.infer<typeof AccountSchema>;
export type VpcSpec = z.infer<typeof VpcSchema>;
export type SubnetSpec = z.infer<typeof SubnetSchema>;
export type HubSpec = z.infer<typeof HubSchema>;
export type HubServiceSpec = z.infer<typeof HubServiceSchema>;
export type SpokeSpec = z.infer<typeof SpokeSchema>;
export type OnPremSpec = z.infer<typeof OnPremSchema>;
export type ResolverSpec = z.infer<typeof ResolverSchema>;
export type PrivateLinkServiceSpec = z.infer<typeof PrivateLinkServiceSchema>;
export type ServiceProviderSpec = z.infer<typeof ServiceProviderSchema>;
export type ConsumerSpec = z.infer<typeof ConsumerSchema>;
export type BackendSpec = z.infer<typeof BackendSchema>;
export type TargetSpec = z.infer<typeof TargetSchema>;
export type QuotasSpec = z.infer<typeof QuotasSchema>;

/** The JSON Schema published for editors, generated from the schema above. */
export function topologyJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(TopologySchema, { target: "draft-2020-12", io: "input" }) as Record<string, unknown>;
}
