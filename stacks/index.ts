import { Construct } from "constructs";
import { TopologyModel } from "../topology/model";
import { HubStack } from "./hub-stack";
import { SpokeStack } from "./spoke-stack";

export interface BuildOptions {
  /** Path of the bundled phz-handshake script shipped in spoke stacks. */
  readonly handshakeScript: string;
}

export interface BuiltStacks {
  readonly hubs: ReadonlyMap<string, HubStack>;
  readonly spokes: ReadonlyMap<string, SpokeStack>;
}

/** Builds one stack per role from the validated model. */
export function buildStacks(scope: Construct, model: TopologyModel, options: BuildOptions): BuiltStacks {
  const hubs = new Map(model.hubs.map((hub) => [hub.name, new HubStack(scope, model, hub)]));
  const spokes = new Map(
    model.spokes.map((spoke) => [spoke.name, new SpokeStack(scope, model, spoke, hubs.get(spoke.hub.name)!, options)]),
  );
  return { hubs, spokes };
}
