import { Construct } from "constructs";
import { TopologyModel } from "../topology/model";
import { ConsumerStack } from "./consumer-stack";
import { HubStack } from "./hub-stack";
import { ProviderStack } from "./provider-stack";
import { SpokeStack } from "./spoke-stack";

export interface BuildOptions {
  /**
   * Path of the phz-handshake bundle shipped in spoke stacks.
   * @default - the bundle this package was built with
   */
  readonly handshakeScript?: string;
}

export interface BuiltStacks {
  readonly hubs: ReadonlyMap<string, HubStack>;
  readonly spokes: ReadonlyMap<string, SpokeStack>;
  readonly providers: ReadonlyMap<string, ProviderStack>;
  readonly consumers: ReadonlyMap<string, ConsumerStack>;
}

/** Builds one stack per role from the validated model. */
export function buildStacks(scope: Construct, model: TopologyModel, options: BuildOptions = {}): BuiltStacks {
  const hubs = new Map(model.hubs.map((hub) => [hub.name, new HubStack(scope, model, hub)]));
  const spokes = new Map(
    model.spokes.map((spoke) => [spoke.name, new SpokeStack(scope, model, spoke, hubs.get(spoke.hub.name)!, options)]),
  );
  const providers = new Map(
    model.services.filter((s) => s.provider).map((service) => [service.name, new ProviderStack(scope, model, service)]),
  );
  const consumers = new Map(
    model.consumers.map((c) => [c.stackName, new ConsumerStack(scope, model, c, providers.get(c.service.name))]),
  );
  return { hubs, spokes, providers, consumers };
}
