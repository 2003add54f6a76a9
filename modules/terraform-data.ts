import { Construct } from "constructs";
import { ITerraformDependable, LocalExecProvisioner, TerraformResource, TerraformResourceLifecycle } from "../framework/core";

export interface TerraformDataProps {
  /** Stored in state and visible to provisioners as `self.input`. */
  readonly input?: Readonly<Record<string, string>>;
  /** Any change replaces the resource (destroy-time provisioner, then create-time provisioner). */
  readonly triggersReplace?: Readonly<Record<string, string>>;
  readonly provisioners?: LocalExecProvisioner[];
  readonly dependsOn?: ITerraformDependable[];
  readonly lifecycle?: TerraformResourceLifecycle;
}

/**
 * Terraform's built-in `terraform_data` resource (Terraform >= 1.4).
 *
 * cdktf ships `DataResource` for it, but that class registers a validation that runs `terraform version`
 * through `execSync` for **every instance** at synth time (~60 ms each: 10 minutes for 10,000 zone/VPC
 * pairs) and fails synth on machines without terraform. This is the same resource on the public
 * `TerraformResource` base, without that check; the stacks require Terraform >= 1.10 anyway.
 */
export class TerraformData extends TerraformResource {
  private readonly input?: Readonly<Record<string, string>>;
  private readonly triggersReplace?: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: TerraformDataProps) {
    super(scope, id, {
      terraformResourceType: "terraform_data",
      terraformGeneratorMetadata: { providerName: "terraform" },
      provisioners: props.provisioners,
      dependsOn: props.dependsOn,
      lifecycle: props.lifecycle,
    });
    this.input = props.input;
    this.triggersReplace = props.triggersReplace;
  }

  get id(): string {
    return this.getStringAttribute("id");
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    return { input: this.input, triggers_replace: this.triggersReplace };
  }

  protected synthesizeHclAttributes(): { [name: string]: unknown } {
    const attribute = (value: unknown) => ({ value, isBlock: false, type: "map", storageClassType: "stringMap" });
    return { input: attribute(this.input), triggers_replace: attribute(this.triggersReplace) };
  }
}
