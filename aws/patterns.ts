/**
 * The shapes of AWS identifiers, defined once: the topology schema, the validation rules, the
 * constructs, the handshake command and the emulators all use these, never a copy.
 */

/** The partitions this product knows. */
export const PARTITIONS = ["aws", "aws-cn", "aws-us-gov"] as const;
export type Partition = (typeof PARTITIONS)[number];

/** A 12-digit account id. */
export const ACCOUNT_ID = /^[0-9]{12}$/;

/** The body of a region code, to embed in other patterns (no capturing group). */
export const REGION_BODY = "[a-z]{2}(?:-[a-z]+)+-[0-9]+";

/** A region code such as `ap-northeast-1` (well-formed; whether AWS has it is `aws/regions.ts`'s business). */
export const REGION = new RegExp(`^${REGION_BODY}$`);

/** An availability zone name such as `ap-northeast-1a`. */
export const AZ_NAME = new RegExp(`^${REGION_BODY}[a-z]$`);

/** An availability zone id such as `apne1-az4` (stable across accounts). */
export const AZ_ID = /^[a-z]{3,}[0-9]*-az[0-9]+$/;

/**
 * IAM names (roles, users) and path segments: letters, digits and `+ = , . @ _ -` (IAM's own set, which
 * never includes `$`, `{`, `%` or quotes). Names are at most 64 characters.
 */
export const IAM_NAME_CHARS = "[A-Za-z0-9+=,.@_-]";
const IAM_PATH = `(?:${IAM_NAME_CHARS}+/)*`;

/** An IAM role ARN, e.g. `arn:aws:iam::111122223333:role/privatelink-deployer` (a path is allowed: `role/ops/deployer`). */
export const ROLE_ARN = new RegExp(`^arn:aws(?:-cn|-us-gov)?:iam::[0-9]{12}:role/${IAM_PATH}${IAM_NAME_CHARS}{1,64}$`);

/** Any IAM ARN's partition and account: `arn:<partition>:iam::<account>:...`. */
const IAM_ARN_PARTS = /^arn:([a-z-]+):iam::([0-9]{12}):/;

/** The account of an IAM role ARN, or undefined when `arn` is not a role ARN. */
export function roleArnAccount(arn: string | undefined): string | undefined {
  if (arn === undefined || !/:role\//.test(arn)) return undefined;
  return IAM_ARN_PARTS.exec(arn)?.[2];
}

/** The partition of an IAM ARN (`aws`, `aws-cn`, `aws-us-gov`), or undefined. */
export function iamArnPartition(arn: string | undefined): string | undefined {
  return arn === undefined ? undefined : IAM_ARN_PARTS.exec(arn)?.[1];
}

/** A principal an endpoint service admits: an account root, a role or a user. Groups: partition, account. */
export const PRINCIPAL_ARN = new RegExp(`^arn:(aws|aws-cn|aws-us-gov):iam::([0-9]{12}):(?:root|(?:role|user)/${IAM_PATH}${IAM_NAME_CHARS}{1,64})$`);

/**
 * Tag keys and values: AWS allows letters, digits and spaces (Unicode) and `_ . : / = + - @`; keys 1-128
 * characters, values up to 256; the `aws:` key prefix is AWS's own.
 */
export const TAG_KEY = /^(?![aA][wW][sS]:)[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
export const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

/** An S3 key prefix of our state files: the characters S3 calls safe (letters, digits, `! - _ . * ' ( )`) and `/`. */
export const S3_KEY_PREFIX = /^[A-Za-z0-9!_.*'()/-]{0,512}$/;

/** An S3 bucket name (general purpose buckets). */
export const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * A Terraform template sequence, `${` or `%{`: in Terraform JSON and HCL strings it starts an expression
 * or a directive. Matched whether or not it is escaped (`$${`): no topology field needs one.
 */
export const TEMPLATE_SEQUENCE = /[$%]\{/;

/** EC2 resource ids: `<prefix>-` and 8 or 17 lowercase hex digits. */
export function ec2IdPattern(prefix: string): RegExp {
  return new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`);
}
export const VPC_ID = ec2IdPattern("vpc");
export const SUBNET_ID = ec2IdPattern("subnet");
export const SECURITY_GROUP_ID = ec2IdPattern("sg");
export const INSTANCE_ID = ec2IdPattern("i");

/** A Route 53 hosted zone id, optionally with its `/hostedzone/` prefix. */
export const HOSTED_ZONE_ID = /^(\/hostedzone\/)?[A-Z0-9]{1,32}$/;

/**
 * An AWS Organizations principal RAM shares with: the organization
 * (`arn:aws:organizations::<management account>:organization/o-<id>`) or an organizational unit
 * (`...:ou/o-<id>/ou-<root>-<id>`).
 */
export const ORGANIZATION_PRINCIPAL = /^arn:(?:aws|aws-cn|aws-us-gov):organizations::[0-9]{12}:(?:organization\/o-[a-z0-9]{10,32}|ou\/o-[a-z0-9]{10,32}\/ou-[a-z0-9]{4,32}-[a-z0-9]{8,32})$/;
