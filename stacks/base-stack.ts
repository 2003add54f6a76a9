import * as path from "path";
import { Construct } from "constructs";
import { App, LocalBackend, S3Backend, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AccountRegionProvider } from "../modules/aws-provider";
import { AccountModel, TopologyModel } from "../topology/model";

export const TOOL_TAG = "managed-by";
export const TOOL_NAME = "privatelink-cdktf";

/** Common ground of every stack: backend, AWS provider registry, version constraint, default tags. */
export abstract class PrivateLinkStack extends TerraformStack {
  private readonly providers = new Map<string, AccountRegionProvider>();

  constructor(
    scope: Construct,
    readonly stackName: string,
    protected readonly model: TopologyModel,
  ) {
    super(scope, stackName);
    configureBackend(this, model);
  }

  /** The aliased provider for an account and region, created on first use. */
  provider(account: AccountModel, region: string): AwsProvider {
    const alias = AccountRegionProvider.aliasFor(account.name, region);
    let entry = this.providers.get(alias);
    if (!entry) {
      entry = new AccountRegionProvider(this, `provider-${alias}`, {
        account,
        region,
        target: this.model.target,
        defaultTags: {
          [TOOL_TAG]: TOOL_NAME,
          [`${TOOL_NAME}:topology`]: this.model.name,
          [`${TOOL_NAME}:stack`]: this.stackName,
          ...this.model.tags,
        },
      });
      this.providers.set(alias, entry);
    }
    return entry.provider;
  }
}

/**
 * Terraform versions every stack accepts: S3 native locking (`use_lockfile`) needs 1.10; the stacks are
 * checked with 1.11.
 */
export const TERRAFORM_VERSION_CONSTRAINT = ">= 1.10.0, < 2.0.0";

/** Key of a stack's state in the S3 backend: `<keyPrefix>/<stack>.tfstate` (an empty prefix: at the bucket's root). */
export function s3StateKey(model: TopologyModel, stackName: string): string {
  if (model.backend.kind !== "s3") throw new Error("s3StateKey: the topology does not use the S3 backend");
  const prefix = (model.backend.keyPrefix ?? model.name).replace(/^\/+|\/+$/g, "");
  return prefix === "" ? `${stackName}.tfstate` : `${prefix}/${stackName}.tfstate`;
}

/**
 * The state file of a stack under the local backend: `terraform.<topology>.<stack>.tfstate` in the backend
 * directory (default: the directory synth runs from), so two topologies synthesized from one directory
 * never share a state file.
 */
export function localStateFile(model: TopologyModel, stackName: string): string {
  if (model.backend.kind !== "local") throw new Error("localStateFile: the topology does not use the local backend");
  return path.resolve(model.backend.directory ?? ".", `terraform.${model.name}.${stackName}.tfstate`);
}

/**
 * Local backend: a state file per stack (see `localStateFile`), addressed by a path **relative to the
 * stack's directory** (`<outdir>/stacks/<stack>`), so it works on any machine and every stack can read its
 * siblings' state through `terraform_remote_state` (all stack directories sit at one depth).
 * S3 backend: one key per stack under the prefix, encrypted, with S3 native locking; under a local target
 * the backend talks to the emulator too.
 */
function configureBackend(stack: PrivateLinkStack, model: TopologyModel): void {
  stack.addOverride("terraform.required_version", TERRAFORM_VERSION_CONSTRAINT);
  const backend = model.backend;
  if (backend.kind === "s3") {
    const local = model.target.kind === "local" ? model.target : undefined;
    new S3Backend(stack, {
      bucket: backend.bucket,
      key: s3StateKey(model, stack.stackName),
      region: backend.region,
      encrypt: true,
      ...(backend.roleArn ? { assumeRole: { roleArn: backend.roleArn } } : {}),
      ...(local
        ? {
            // The emulator's S3 and STS, with its fixed dummy credentials (never real ones).
            endpoints: { s3: local.endpoint, sts: local.endpoint },
            usePathStyle: true,
            accessKey: "test",
            secretKey: "test",
            skipCredentialsValidation: true,
            skipRequestingAccountId: true,
            skipMetadataApiCheck: true,
            skipRegionValidation: true,
          }
        : {}),
    });
    if (backend.useLockfile ?? true) stack.addOverride("terraform.backend.s3.use_lockfile", true);
    return;
  }
  const outdir = path.resolve(App.of(stack).outdir);
  const stackDir = path.join(outdir, "stacks", stack.stackName);
  new LocalBackend(stack, { path: path.relative(stackDir, localStateFile(model, stack.stackName)).split(path.sep).join("/") });
}
