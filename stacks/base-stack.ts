import * as path from "path";
import { Construct } from "constructs";
import { App, FRAMEWORK, LocalBackend, S3Backend, S3BackendConfig, TerraformStack, TerraformVariable } from "../framework/core";
import { AwsProvider } from "../framework/aws";
import { AccountRegionProvider, emulatorProviderSettings } from "../modules/aws-provider";
import { UpstreamOutputs, UpstreamState } from "../modules/upstream-outputs";
import { StackFiles } from "../modules/zone-sharing";
import { RUN_ID_PATTERN, RUN_ID_VARIABLE } from "../modules/run-id";
import { AccountModel, TopologyModel } from "../topology/model";

export const TOOL_TAG = "managed-by";

/** One aliased provider of a stack: the account and region it works in. */
export interface ProviderRecord {
  readonly alias: string;
  readonly account: AccountModel;
  readonly region: string;
}
export const TOOL_NAME = "privatelink-cdktf";

/**
 * Context key: this package's `synthesize` places the stacks' files itself (hard links, see
 * `PrivateLinkStack.files`); without it, files are the framework's assets.
 */
export const PLACE_FILES_CONTEXT = "privatelink:placeFiles";

/** Common ground of every stack: backend, AWS provider registry, version constraint, default tags. */
export abstract class PrivateLinkStack extends TerraformStack implements StackFiles {
  private readonly placed = new Map<string, string>();
  private readonly providers = new Map<string, AccountRegionProvider>();
  private readonly providerAccounts = new Map<string, ProviderRecord>();
  private readonly upstreams = new Map<string, UpstreamOutputs>();
  private stateProvider?: AwsProvider;
  private runId?: TerraformVariable;

  constructor(
    scope: Construct,
    readonly stackName: string,
    protected readonly model: TopologyModel,
  ) {
    super(scope, stackName);
    // What CDK Terrain checks the features a stack uses against (S3 native locking needs 1.10); cdktf ignores it.
    this.node.setContext("targetVersions", TERRAFORM_TARGET_VERSIONS);
    configureBackend(this, model);
  }

  /** Whether this stack's files are placed by `synthesize` (its App has PLACE_FILES_CONTEXT set). */
  get placesFiles(): boolean {
    return this.node.tryGetContext(PLACE_FILES_CONTEXT) === true;
  }

  stackFile(relativePath: string, source: string): string {
    this.placed.set(relativePath, source);
    return relativePath;
  }

  /** Files to place in the stack's directory: relative path -> source file. */
  get files(): ReadonlyMap<string, string> {
    return this.placed;
  }

  /**
   * `var.privatelink_run_id`: who runs this apply, in the role session names (modules/run-id.ts). The
   * commands set it (TF_VAR_privatelink_run_id, from the CI job); plain terraform gets "local".
   */
  get runIdReference(): string {
    this.runId ??= new TerraformVariable(this, RUN_ID_VARIABLE, {
      type: "string",
      default: "local",
      description: "Who runs this apply (a CI job id): it names the deploy roles' sessions in CloudTrail.",
      validation: [{ condition: `\${can(regex(${JSON.stringify(RUN_ID_PATTERN.source)}, var.${RUN_ID_VARIABLE}))}`, errorMessage: "privatelink_run_id: 1 to 32 letters, digits and + = , . @ _ -" }],
    });
    return this.runId.stringValue;
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
        sessionName: `privatelink-${this.runIdReference}`,
        defaultTags: {
          [TOOL_TAG]: TOOL_NAME,
          [`${TOOL_NAME}:topology`]: this.model.name,
          [`${TOOL_NAME}:stack`]: this.stackName,
          ...this.model.tags,
        },
      });
      this.providers.set(alias, entry);
      this.providerAccounts.set(alias, { alias, account, region });
    }
    return entry.provider;
  }

  /** Every (account, region) this stack has a provider for, by alias: what a retired copy of it needs. */
  get providerRecords(): readonly ProviderRecord[] {
    return [...this.providerAccounts.values()].sort((a, b) => a.alias.localeCompare(b.alias));
  }

  /**
   * The outputs of another stack of the estate, read from its state when it has one (see
   * `UpstreamOutputs`); the other stack becomes a dependency (deployed first).
   */
  upstream(other: PrivateLinkStack): UpstreamOutputs {
    let entry = this.upstreams.get(other.stackName);
    if (!entry) {
      this.addDependency(other);
      entry = new UpstreamOutputs(this, `upstream-${other.stackName}`, { stackName: other.stackName, state: this.stateOf(other.stackName) });
      this.upstreams.set(other.stackName, entry);
    }
    return entry;
  }

  /** Where a stack of this estate keeps its state, as seen from this stack's directory. */
  private stateOf(stackName: string): UpstreamState {
    const backend = this.model.backend;
    if (backend.kind === "local") {
      return { kind: "local", path: relativeStatePath(this, this.model, stackName) };
    }
    return { kind: "s3", backend: s3BackendConfig(this.model, stackName), listProvider: this.stateListProvider() };
  }

  /** The provider that lists the state bucket: the backend's region and role, never a deploy role. */
  private stateListProvider(): AwsProvider {
    if (!this.stateProvider) {
      const config = s3BackendConfig(this.model, this.stackName);
      const local = this.model.target.kind === "local" ? this.model.target : undefined;
      this.stateProvider = new AwsProvider(this, "provider-state", {
        alias: "state",
        region: config.region,
        ...(config.assumeRole ? { assumeRole: [{ roleArn: config.assumeRole.roleArn, sessionName: `privatelink-state-${this.runIdReference}` }] } : {}),
        ...(local ? { ...emulatorProviderSettings(local.endpoint, ["s3", "sts"]), s3UsePathStyle: true } : {}),
      });
    }
    return this.stateProvider;
  }
}

/**
 * Terraform versions every stack accepts: S3 native locking (`use_lockfile`) needs 1.10; the stacks are
 * checked with 1.11.
 */
export const TERRAFORM_VERSION_CONSTRAINT = ">= 1.10.0, < 2.0.0";

/** The same range as CDK Terrain's `targetVersions` (npm semver syntax), set on every stack. */
export const TERRAFORM_TARGET_VERSIONS = { terraform: ">=1.10.0 <2.0.0" } as const;

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
    const locked = backend.useLockfile ?? true;
    if (FRAMEWORK.name === "cdktn") {
      // CDK Terrain types `useLockfile` and checks it against the stack's targetVersions at synth.
      new S3Backend(stack, { ...s3BackendConfig(model, stack.stackName), ...(locked ? { useLockfile: true } : {}) } as S3BackendConfig);
    } else {
      new S3Backend(stack, s3BackendConfig(model, stack.stackName));
      if (locked) stack.addOverride("terraform.backend.s3.use_lockfile", true);
    }
    return;
  }
  new LocalBackend(stack, { path: relativeStatePath(stack, model, stack.stackName) });
}

/** A stack's local state file, relative to the directory of `from` (`<outdir>/stacks/<stack>`), with forward slashes. */
function relativeStatePath(from: PrivateLinkStack, model: TopologyModel, stackName: string): string {
  const outdir = path.resolve(App.of(from).outdir);
  const stackDir = path.join(outdir, "stacks", from.stackName);
  return path.relative(stackDir, localStateFile(model, stackName)).split(path.sep).join("/");
}

/** The S3 backend settings of a stack: its key under the prefix, encrypted; the emulator's S3 under a local target. */
export function s3BackendConfig(model: TopologyModel, stackName: string): S3BackendConfig {
  const backend = model.backend;
  if (backend.kind !== "s3") throw new Error("s3BackendConfig: the topology does not use the S3 backend");
  const local = model.target.kind === "local" ? model.target : undefined;
  return {
    bucket: backend.bucket,
    key: s3StateKey(model, stackName),
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
  };
}
