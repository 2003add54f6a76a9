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
 * Local backend: a state file per stack in the backend directory, addressed by a path **relative to
 * the stack's directory** (`<outdir>/stacks/<stack>`), so it works on any machine and every stack can
 * read its siblings' state through `terraform_remote_state` (all stack directories sit at one depth).
 * S3 backend: one key per stack under the prefix, encrypted, with S3 native locking.
 */
function configureBackend(stack: PrivateLinkStack, model: TopologyModel): void {
  const backend = model.backend;
  if (backend.kind === "s3") {
    const prefix = (backend.keyPrefix ?? model.name).replace(/^\/+|\/+$/g, "");
    new S3Backend(stack, {
      bucket: backend.bucket,
      key: `${prefix}/${stack.stackName}.tfstate`,
      region: backend.region,
      encrypt: true,
      ...(backend.roleArn ? { assumeRole: { roleArn: backend.roleArn } } : {}),
    });
    if (backend.useLockfile ?? true) stack.addOverride("terraform.backend.s3.use_lockfile", true);
    return;
  }
  const outdir = path.resolve(App.of(stack).outdir);
  const stackDir = path.join(outdir, "stacks", stack.stackName);
  const stateFile = path.resolve(backend.directory ?? ".", `terraform.${stack.stackName}.tfstate`);
  new LocalBackend(stack, { path: path.relative(stackDir, stateFile).split(path.sep).join("/") });
}
