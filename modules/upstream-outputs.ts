import { Construct } from "constructs";
import { DataTerraformRemoteStateS3, S3BackendConfig, TerraformLocal, TerraformProvider, TerraformRemoteState, TerraformResource } from "../framework/core";
import { DataAwsS3Objects } from "../framework/aws";
import { throwIfProblems } from "./errors";
import { hclString } from "./literals";
import { tfName } from "./naming";

/** Where the upstream stack keeps its state. */
export type UpstreamState =
  | {
      readonly kind: "local";
      /** The state file, relative to the reading stack's directory (where terraform runs). */
      readonly path: string;
    }
  | {
      readonly kind: "s3";
      /** The upstream stack's S3 backend settings (bucket, key, region, role...). */
      readonly backend: S3BackendConfig;
      /**
       * A provider that may list the state bucket (`s3:ListBucket`, which the S3 backend needs anyway):
       * it tells a stack that was never applied from one that was.
       */
      readonly listProvider: TerraformProvider;
    };

/**
 * What a value of an upstream stack reads as while that stack's state lacks it. `privatelink plan` finds
 * these in a saved plan (`PENDING_PATTERN`): that plan was made before the upstream had its outputs, and
 * cannot be applied as it is.
 */
export function pendingPlaceholder(stackName: string, what: string): string {
  return `(pending: not in ${stackName}'s state yet: ${what})`;
}

/** Finds the placeholders of `pendingPlaceholder` in text; group 1 is the upstream stack. */
export const PENDING_PATTERN = /\(pending: not in ([A-Za-z][A-Za-z0-9_-]*)'s state yet: [^)]*\)/g;

export interface UpstreamOutputsProps {
  /** Name of the stack whose outputs are read: names the data source and every message. */
  readonly stackName: string;
  /** Where that stack keeps its state. */
  readonly state: UpstreamState;
}

/**
 * Outputs of another stack, read from its state, that **may not exist yet**: the other stack is not
 * applied, or is applied without an output this configuration adds. Unlike a plain
 * `terraform_remote_state` (which fails the plan with "Unable to find remote state" or "Unsupported
 * attribute"), a plan then goes through with a readable placeholder in place of each missing value,
 * and `require()` makes the apply stop with a clear message before anything is created with one.
 *
 * - Local backend: the state file is read directly (`file()` + `jsondecode()`), inside `try()`: a file that
 *   does not exist, is empty (Terraform creates it while that stack plans or applies in parallel) or is
 *   half-written gives no outputs, never an error. (A `terraform_remote_state` guarded by `fileexists()`
 *   failed with "No stored state was found" when the file existed but held no state yet.)
 * - S3 backend: the remote state is read only when its key is listed in the bucket; otherwise the data
 *   source has `count = 0`.
 * - Values are looked up in a local (`local.upstream_<stack>`) holding the outputs, `{}` when unread.
 */
export class UpstreamOutputs extends Construct {
  /** The stack the outputs come from. */
  readonly stackName: string;
  /** S3 backend: the remote state data source (with `count`: 1 once the upstream stack has state, else 0). */
  readonly remoteState?: TerraformRemoteState;
  /** Address of the local holding the outputs (`local.upstream_<stack>`). */
  readonly outputsAddress: string;

  constructor(scope: Construct, id: string, props: UpstreamOutputsProps) {
    super(scope, id);
    throwIfProblems(this, /^[A-Za-z][A-Za-z0-9_-]*$/.test(props.stackName) ? [] : [`stackName "${props.stackName}" must be letters, digits, - and _`]);
    this.stackName = props.stackName;
    const name = tfName("upstream", props.stackName);
    let expression: string;
    if (props.state.kind === "local") {
      // A state file's outputs are `{ "<name>": { "value": ..., "type": ... } }`.
      // The path is data: a directory named `${...}` must not become an expression (literals.ts).
      expression = `try({ for name, output in jsondecode(file(${hclString(props.state.path)})).outputs : name => output.value }, {})`;
    } else {
      const { backend } = props.state;
      this.remoteState = new DataTerraformRemoteStateS3(this, "state", backend);
      const listing = new DataAwsS3Objects(this, "listing", { provider: props.state.listProvider, bucket: backend.bucket, prefix: backend.key, maxKeys: 1 });
      listing.overrideLogicalId(`${name}_state`);
      // The key itself sorts first among the keys it prefixes: one listed key answers.
      const exists = `contains(data.aws_s3_objects.${name}_state.keys, ${JSON.stringify(backend.key)})`;
      this.remoteState.overrideLogicalId(name);
      this.remoteState.addOverride("count", `\${${exists} ? 1 : 0}`);
      expression = `try(data.terraform_remote_state.${name}[0].outputs, {})`;
    }
    this.expression = expression;
    this.outputs = new TerraformLocal(this, "outputs", `\${${expression}}`);
    this.outputs.overrideLogicalId(name);
    this.outputsAddress = `local.${name}`;
  }

  private readonly expression: string;
  private readonly outputs: TerraformLocal;

  /**
   * Values the upstream stack's outputs are known to take once it is applied (an adopted stack: its outputs
   * come from resources that exist and are being imported), read while its state does not hold them yet.
   * What the state holds wins. Values are data (quoted, never evaluated).
   */
  assumeUntilApplied(known: Readonly<Record<string, string>>): void {
    const entries = Object.entries(known).sort(([a], [b]) => a.localeCompare(b));
    if (entries.length === 0) return;
    const map = `{ ${entries.map(([k, v]) => `${hclString(k)} = ${hclString(v)}`).join(", ")} }`;
    this.outputs.expression = `\${merge(${map}, ${this.expression})}`;
  }

  /** A message-friendly placeholder for a value the upstream stack does not have yet. */
  placeholder(output: string, key?: string): string {
    return pendingPlaceholder(this.stackName, key ?? output);
  }

  /** Expression (HCL) of an output, or one entry of a map output. */
  private reference(output: string, key?: string): string {
    const value = `${this.outputsAddress}[${hclString(output)}]`;
    return key === undefined ? value : `${value}[${hclString(key)}]`;
  }

  /**
   * The output (or one key of a map output) as a string, or the placeholder when the upstream state lacks it.
   * `shape: "arn"`: the placeholder is an ARN holding it (`arn:aws:ram:us-east-1:000000000000:resource-share/(pending:
   * ...)`), for an argument the provider validates as an ARN while planning (a RAM share's `share_arn`).
   */
  value(output: string, key?: string, shape?: "arn"): string {
    const placeholder = shape === "arn" ? `arn:aws:ram:us-east-1:000000000000:resource-share/${this.placeholder(output, key)}` : this.placeholder(output, key);
    return `\${try(tostring(${this.reference(output, key)}), ${hclString(placeholder)})}`;
  }

  /** HCL boolean expression: the upstream state has that output (and key). */
  has(output: string, key?: string): string {
    return `can(tostring(${this.reference(output, key)}))`;
  }

  /**
   * Makes `resource` refuse to be created (or replaced) with a placeholder: a precondition that holds
   * once the upstream state has the value. It is deferred to apply time (`timestamp()` is unknown while
   * planning), so plans of a pull request still show what would be created.
   */
  require(resource: TerraformResource, output: string, key: string | undefined, errorMessage: string): void {
    const condition = `\${${this.has(output, key)} || timestamp() == "deferred until apply"}`;
    const lifecycle = resource.lifecycle ?? {};
    resource.lifecycle = { ...lifecycle, precondition: [...(lifecycle.precondition ?? []), { condition, errorMessage }] };
  }
}
