/**
 * The seam between this package and its construct framework: the only file that imports the framework
 * itself. The package is built in two flavours from one source (see docs/library.md):
 *
 * - **cdktf**: CDK for Terraform 0.21 (`cdktf`), the package `privatelink-cdktf`;
 * - **cdktn**: CDK Terrain 0.24 (`cdktn`), the package `privatelink-cdktn`, written by `npm run pack:cdktn`.
 *
 * The cdktn flavour's build rewrites this file's module specifier (`cdktf` -> `cdktn`), and
 * `framework/aws.ts`'s (`@cdktf/provider-aws` -> `@cdktn/provider-aws`); nothing else differs. CDK Terrain
 * keeps cdktf's class names, logical ids and output layout (its exports are a superset), so every name below
 * exists in both.
 */
import { App } from "cdktf";

export {
  App,
  AssetType,
  DataTerraformRemoteStateLocal,
  DataTerraformRemoteStateS3,
  DefaultTokenResolver,
  Fn,
  type ITerraformDependable,
  LocalBackend,
  type LocalExecProvisioner,
  propertyAccess,
  S3Backend,
  type S3BackendConfig,
  StringConcat,
  TerraformAsset,
  TerraformDataSource,
  TerraformElement,
  TerraformLocal,
  TerraformOutput,
  TerraformProvider,
  TerraformRemoteState,
  TerraformResource,
  type TerraformResourceLifecycle,
  TerraformStack,
  TerraformVariable,
  Token,
  Tokenization,
} from "cdktf";

/** Which framework this build runs on, read from the framework's own type information (jsii's `fqn`). */
export interface Framework {
  /** `cdktf` (CDK for Terraform) or `cdktn` (CDK Terrain). */
  readonly name: "cdktf" | "cdktn";
  /** The framework's version, e.g. `0.21.0`. */
  readonly version: string;
}

function detect(): Framework {
  const rtti = (App as unknown as Record<symbol, { fqn?: string; version?: string } | undefined>)[Symbol.for("jsii.rtti")];
  const name = rtti?.fqn?.split(".")[0];
  if (name !== "cdktf" && name !== "cdktn") throw new Error(`privatelink: unknown construct framework (${rtti?.fqn ?? "no jsii type information on App"})`);
  return { name, version: rtti?.version ?? "unknown" };
}

export const FRAMEWORK: Framework = detect();
