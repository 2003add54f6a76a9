import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { roleArnAccount } from "../aws/patterns";

/** Where the AWS provider sends its calls. */
export type ApiTarget =
  | { readonly kind: "aws" }
  /** A local AWS API emulator (moto, LocalStack) answering every service on one URL. */
  | { readonly kind: "local"; readonly endpoint: string };

/** Services whose endpoints are redirected to the emulator under a local target. */
export const EMULATED_SERVICES = ["ec2", "elbv2", "route53", "route53Resolver", "sts", "iam"] as const;

export interface AccountRegionProviderProps {
  /** Account the provider works in: its id and the role Terraform assumes there. */
  readonly account: { readonly name: string; readonly id: string; readonly deployRoleArn: string };
  readonly region: string;
  /** Tags applied to every taggable resource of this provider. */
  readonly defaultTags: Readonly<Record<string, string>>;
  readonly target: ApiTarget;
}

/**
 * One aliased `aws` provider per (account, region): assumes the account's deploy role and refuses to
 * run in any other account. The alias (`<account>_<region>`, hyphens as underscores) appears on every
 * resource so a plan shows plainly which account and region each change lands in.
 */
export class AccountRegionProvider extends Construct {
  readonly provider: AwsProvider;
  readonly alias: string;
  readonly accountId: string;
  readonly region: string;

  static aliasFor(accountName: string, region: string): string {
    return `${accountName}_${region}`.replace(/-/g, "_");
  }

  constructor(scope: Construct, id: string, props: AccountRegionProviderProps) {
    super(scope, id);
    const arnAccount = roleArnAccount(props.account.deployRoleArn);
    if (arnAccount !== props.account.id) {
      throw new Error(
        `AccountRegionProvider ${id}: deployRoleArn ${props.account.deployRoleArn} is not a role of account ${props.account.id}`,
      );
    }
    this.alias = AccountRegionProvider.aliasFor(props.account.name, props.region);
    this.accountId = props.account.id;
    this.region = props.region;
    const local = props.target.kind === "local" ? props.target : undefined;
    this.provider = new AwsProvider(this, "aws", {
      alias: this.alias,
      region: props.region,
      assumeRole: [{ roleArn: props.account.deployRoleArn, sessionName: "privatelink-cdktf" }],
      defaultTags: [{ tags: { ...props.defaultTags } }],
      ...(local
        ? {
            // An emulator has no real identity service: fixed dummy credentials, no account lookups.
            accessKey: "test",
            secretKey: "test",
            skipCredentialsValidation: true,
            skipRequestingAccountId: true,
            skipMetadataApiCheck: "true",
            skipRegionValidation: true,
            endpoints: [Object.fromEntries(EMULATED_SERVICES.map((s) => [s, local.endpoint]))],
          }
        : { allowedAccountIds: [props.account.id] }),
    });
  }
}
