/**
 * privatelink-cdktf as a library: the constructs (one per AWS concept), the facts they rely on (service
 * catalog, partitions, identifier patterns), and the topology pipeline (loader/validator -> model ->
 * stacks -> synth) for teams who want the whole product from their own program.
 *
 *   import { AccountRegionProvider, CentralizedEndpoint, planServiceDns } from "privatelink-cdktf";
 *
 * Provider classes stay deep imports (`@cdktf/provider-aws/lib/...`) inside; nothing here loads the
 * provider barrel.
 */

// The construct framework this build runs on (cdktf or cdktn; see docs/library.md)
export { FRAMEWORK, type Framework } from "./framework/core";

// Constructs
export { ValidationError } from "./modules/errors";
export { AccountRegionProvider, type AccountRegionProviderProps, type AccountRef, type ApiTarget, AWS_PROVIDER_CONSTRAINT, EMULATED_SERVICES } from "./modules/aws-provider";
export { CentralizedEndpoint, type CentralizedEndpointProps, type CentralizedZone } from "./modules/centralized-endpoint";
export {
  HANDSHAKE_PROTOCOL,
  HandshakeScript,
  ZoneAssociationScript,
  type ZoneAssociationScriptProps,
  ZoneAssociationNative,
  type ZoneAssociationNativeProps,
} from "./modules/zone-sharing";
export { ProfileShare, type ProfileShareProps, type ProfileZone, ProfileAssociation, type ProfileAssociationProps, profileName, sharedByInvitation } from "./modules/profile-sharing";
export { ResolverInboundEndpoint, type ResolverInboundEndpointProps, type ResolverAddress } from "./modules/resolver-inbound";
export { IngressSecurityGroup, type IngressSecurityGroupProps, type SecurityGroupRule } from "./modules/ingress-security-group";
export { NetworkLoadBalancer, type NetworkLoadBalancerProps, type NlbListener, type NlbTargets } from "./modules/network-load-balancer";
export { EndpointService, type EndpointServiceProps } from "./modules/endpoint-service";
export { ConsumerEndpoint, type ConsumerEndpointProps } from "./modules/consumer-endpoint";
export { TerraformData, type TerraformDataProps } from "./modules/terraform-data";
export { named, tfName } from "./modules/naming";
export { handshakeBundle } from "./modules/package-assets";

// Facts about AWS
export {
  SERVICE_CATALOG,
  type CatalogEntry,
  GLOBAL_SERVICES,
  GATEWAY_CAPABLE_SERVICES,
  CROSS_REGION_AWS_SERVICES,
  planServiceDns,
  type ServiceDnsPlan,
  type ServiceDnsOptions,
  type ZonePlan,
  parseServiceName,
  parseConsumedAwsService,
  type ServiceNameParse,
  endpointServiceName,
  awsServiceName,
  invalidDnsName,
} from "./aws/service-catalog";
export { PARTITION_INFO, type PartitionInfo, partitionOf, dnsSuffixOf, globalRegionOf } from "./aws/partitions";
export * as patterns from "./aws/patterns";
export { KNOWN_REGIONS } from "./aws/regions";
export { BUNDLED_PRICES, type PriceTable, type RegionPrices, type GlobalPrices, type Price, type TieredPrice, type Tier, tieredCost } from "./aws/prices";

// What an estate costs
export { estimate, type CostReport, type LineItem, type BreakEven, type EstimateOptions, UnknownPriceRegionError } from "./cost/estimate";
export { parseTraffic, loadTrafficFile, type Traffic, type Flow, type OnPremFlow, NO_TRAFFIC, TrafficError } from "./cost/traffic";
export { refreshPrices, loadPriceTable, PriceTableError, type RefreshResult } from "./cost/price-list";

// Topology -> model -> stacks -> synth
export { loadTopologyFile, loadTopologyText, validateDocument, type LoadedTopology, type LoadOptions } from "./topology/load";
export { TopologyError, type Problem, formatProblem, formatPath } from "./topology/problems";
export { TopologySchema, type Topology, topologyJsonSchema } from "./topology/schema";
export * from "./topology/model";
export { buildStacks, type BuildOptions, type BuiltStacks } from "./stacks";
export { PrivateLinkStack } from "./stacks/base-stack";
export { HubStack, type HubZone, hubProfileName } from "./stacks/hub-stack";
export { SpokeStack, type SpokeStackOptions } from "./stacks/spoke-stack";
export { ProviderStack } from "./stacks/provider-stack";
export { ConsumerStack } from "./stacks/consumer-stack";
export { synthesize, type SynthOptions, type SynthResult } from "./synth/synthesize";
export { renderHcl } from "./synth/hcl";
