import { Construct } from "constructs";
import { TopologyModel } from "../topology/model";
import { HubStack } from "./hub-stack";

export interface BuiltStacks {
  readonly hubs: ReadonlyMap<string, HubStack>;
}

/** Builds one stack per role from the validated model. */
export function buildStacks(scope: Construct, model: TopologyModel): BuiltStacks {
  const hubs = new Map(model.hubs.map((hub) => [hub.name, new HubStack(scope, model, hub)]));
  return { hubs };
}
