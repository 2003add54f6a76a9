import { Construct } from "constructs";
import { TerraformStack, Token } from "../framework/core";
import { AwsProvider } from "../framework/aws";
import { ACCOUNT_ID, REGION, roleArnAccount } from "../aws/patterns";
import { throwIfProblems } from "./errors";

/** Where the AWS provider sends its calls. */
export type ApiTarget =
  | { readonly kind: "aws" }
  /** A local AWS API emulator (moto, LocalStack) answering every service on one URL. */
  | { readonly kind: "local"; readonly endpoint: string };

/**
 * The AWS provider versions these constructs are built and checked for: the 6.x line the bindings are
 * generated for, and 5.100+ (checked with `terraform validate` and applied to an emulator). Features
 * used need at least 5.83 (endpoint `service_region`) and 5.80 (endpoint service `supported_regions`).
 */
export const AWS_PROVIDER_CONSTRAINT = ">= 5.100.0, < 7.0.0";

/** Services whose endpoints are redirected to the emulator under a local target. */
export const EMULATED_SERVICES = ["ec2", "elbv2", "route53", "route53Resolver", "route53Profiles", "ram", "sts", "iam"] as const;

/**
 * Provider settings for a local emulator: fixed dummy credentials, no identity or account lookups
 * (an emulator has no real identity service), and every given service's calls sent to `endpoint`.
 */
export function emulatorProviderSettings(endpoint: string, services: readonly string[]) {
  return {
    accessKey: "test",
    secretKey: "test",
    skipCredentialsValidation: true,
    skipRequestingAccountId: true,
    skipMetadataApiCheck: "true",
    skipRegionValidation: true,
    endpoints: [Object.fromEntries(services.map((s) => [s, endpoint]))],
  };
}

/** An AWS account Terraform deploys into. */
export interface AccountRef {
  /** Short name of the account; names the provider alias (`<name>_<region>`). */
  readonly name: string;
  /** 12-digit account id. */
  readonly id: string;
  /** Role Terraform assumes in the account; must be a role of `id`. */
  readonly deployRoleArn: string;
}

export interface AccountRegionProviderProps {
  /** The account to work in. Validated: a 12-digit id, and a deploy role of that very account. */
  readonly account: AccountRef;
  /** Region of the provider, e.g. `ap-northeast-1`. Validated: a region code. */
  readonly region: string;
  /**
   * Tags applied to every taggable resource of this provider.
   * @default - no default tags
   */
  readonly defaultTags?: Readonly<Record<string, string>>;
  /**
   * Where the provider's API calls go.
   * @default - AWS itself (`{ kind: "aws" }`)
   */
  readonly target?: ApiTarget;
  /**
   * The role session name CloudTrail shows for this provider's calls (may be a token, e.g. of a variable).
   * @default "privatelink-cdktf"
   */
  readonly sessionName?: string;
}

/**
 * One aliased `aws` provider per (account, region): assumes the account's deploy role and refuses to
 * run in any other account (`allowed_account_ids`). The alias (`<account>_<region>`, hyphens as
 * underscores) appears on every resource, so a plan shows plainly which account and region each
 * change lands in. No credential ever appears in the configuration. The stack's `required_providers`
 * gets `AWS_PROVIDER_CONSTRAINT`.
 */
export class AccountRegionProvider extends Construct {
  /** The provider, to pass as `provider` to resources. */
  readonly provider: AwsProvider;
  /** The provider's alias, e.g. `network_hub_ap_northeast_1`. */
  readonly alias: string;
  readonly accountId: string;
  readonly region: string;

  /** The alias a provider of this account and region gets. */
  static aliasFor(accountName: string, region: string): string {
    return `${accountName}_${region}`.replace(/-/g, "_");
  }

  constructor(scope: Construct, id: string, props: AccountRegionProviderProps) {
    super(scope, id);
    const problems: string[] = [];
    if (!Token.isUnresolved(props.account.id) && !ACCOUNT_ID.test(props.account.id)) problems.push(`account.id ${props.account.id} is not a 12-digit account id`);
    if (roleArnAccount(props.account.deployRoleArn) !== props.account.id) {
      problems.push(`account.deployRoleArn ${props.account.deployRoleArn} is not a role of account ${props.account.id}`);
    }
    if (!REGION.test(props.region)) problems.push(`region ${props.region} is not a region code such as ap-northeast-1`);
    if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(props.account.name)) problems.push(`account.name "${props.account.name}" must be letters, digits, - and _, starting with a letter (it names the provider alias)`);
    throwIfProblems(this, problems);

    TerraformStack.of(this).addOverride("terraform.required_providers.aws", { source: "hashicorp/aws", version: AWS_PROVIDER_CONSTRAINT });
    this.alias = AccountRegionProvider.aliasFor(props.account.name, props.region);
    this.accountId = props.account.id;
    this.region = props.region;
    const target = props.target ?? { kind: "aws" };
    const local = target.kind === "local" ? target : undefined;
    this.provider = new AwsProvider(this, "aws", {
      alias: this.alias,
      region: props.region,
      assumeRole: [{ roleArn: props.account.deployRoleArn, sessionName: props.sessionName ?? "privatelink-cdktf" }],
      defaultTags: [{ tags: { ...(props.defaultTags ?? {}) } }],
      ...(local ? emulatorProviderSettings(local.endpoint, EMULATED_SERVICES) : { allowedAccountIds: [props.account.id] }),
    });
  }
}
