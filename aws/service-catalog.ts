/**
 * What a centralizing hub must know about AWS service endpoints that their service names do not say:
 * the DNS names clients really use (and so the private hosted zones to create), which services are
 * regionless, which are gateway-capable and which AWS enabled for cross-region PrivateLink.
 *
 * Sources: DescribeVpcEndpointServices `PrivateDnsNames` snapshots, AWS Landing Zone Accelerator's
 * naming rules and fixes (LZA #173), MoJ modernisation-platform PR #13533, and the issues listed in
 * `reference.md`. Names use `{r}` for the region and `{d}` for the partition's DNS suffix.
 */
import { INTERFACE_SERVICES, regionalServiceName } from "./interface-services";
import { dnsSuffixOf } from "./partitions";
import { REGION_BODY } from "./patterns";

export interface CatalogEntry {
  /** DNS names the service answers on: apex names and `*.` wildcards. Empty: no private DNS name. */
  readonly names: readonly string[];
  /** Extra dual-stack names (`<svc>.{r}.api.aws`), created when the hub asks for `dualStack`. */
  readonly dualStackNames?: readonly string[];
}

const wildcardPair = (apex: string) => [apex, `*.${apex}`];

/** Services whose names differ from `<svc>.<region>.amazonaws.com`. */
export const SERVICE_CATALOG: Readonly<Record<string, CatalogEntry>> = {
  s3: {
    names: [
      ...wildcardPair("s3.{r}.{d}"),
      ...wildcardPair("s3-control.{r}.{d}"),
      ...wildcardPair("s3-accesspoint.{r}.{d}"),
    ],
  },
  "ecr.api": { names: ["api.ecr.{r}.{d}"] },
  "ecr.dkr": { names: wildcardPair("dkr.ecr.{r}.{d}") },
  "execute-api": { names: wildcardPair("execute-api.{r}.{d}") },
  "kinesis-streams": { names: ["kinesis.{r}.{d}", "*.data-kinesis.{r}.{d}", "*.control-kinesis.{r}.{d}"] },
  "kinesis-firehose": { names: ["firehose.{r}.{d}"] },
  "ecs-agent": { names: ["ecs-a.{r}.{d}"] },
  "ecs-telemetry": { names: ["ecs-t.{r}.{d}"] },
  "eks-auth": { names: ["eks-auth.{r}.api.aws"] },
  detective: { names: ["api.detective.{r}.{d}"] },
  "appstream.api": { names: ["appstream2.{r}.{d}"] },
  "appstream.streaming": { names: ["streaming.appstream.{r}.{d}"] },
  "sagemaker.api": { names: ["api.sagemaker.{r}.{d}"] },
  "sagemaker.runtime": { names: ["runtime.sagemaker.{r}.{d}"] },
  "sagemaker.featurestore-runtime": { names: ["featurestore-runtime.sagemaker.{r}.{d}"] },
  "sagemaker.metrics": { names: ["metrics.sagemaker.{r}.{d}"] },
  notebook: { names: ["*.notebook.{r}.sagemaker.aws"] },
  studio: { names: ["*.studio.{r}.sagemaker.aws"] },
  "codeartifact.api": { names: ["codeartifact.{r}.{d}"] },
  "codeartifact.repositories": { names: ["*.d.codeartifact.{r}.{d}"] },
  "appsync-api": { names: ["*.appsync-api.{r}.{d}", "*.appsync-realtime-api.{r}.{d}"] },
  "pinpoint-sms-voice-v2": { names: ["sms-voice.{r}.{d}"] },
  "rum-dataplane": { names: ["dataplane.rum.{r}.{d}"] },
  "evidently-dataplane": { names: ["dataplane.evidently.{r}.{d}"] },
  "airflow.api": { names: ["api.airflow.{r}.{d}"] },
  "airflow.env": { names: ["env.airflow.{r}.{d}"] },
  "airflow.ops": { names: ["ops.airflow.{r}.{d}"] },
  "iotsitewise.api": { names: ["api.iotsitewise.{r}.{d}"] },
  "iotsitewise.data": { names: ["data.iotsitewise.{r}.{d}"] },
  "qldb.session": { names: ["session.qldb.{r}.{d}"] },
  "iot.fleethub.api": { names: ["api.fleethub.iot.{r}.{d}"] },
  "transfer.server": { names: ["*.server.transfer.{r}.{d}"] },
  "deviceadvisor.iot": { names: ["*.deviceadvisor.iot.{r}.{d}"] },
  "lorawan.cups": { names: ["*.cups.lorawan.{r}.{d}"] },
  "lorawan.lns": { names: ["*.lns.lorawan.{r}.{d}"] },
  "grafana-workspace": { names: ["*.grafana-workspace.{r}.{d}"] },
  "kendra-ranking": { names: ["kendra-ranking.{r}.api.aws"] },
  "apprunner.requests": { names: [] },
  "iot.data": { names: [] },
  lambda: { names: ["lambda.{r}.{d}"], dualStackNames: ["lambda.{r}.api.aws"] },
  rds: { names: ["rds.{r}.{d}"], dualStackNames: ["rds.{r}.api.aws"] },
  athena: { names: ["athena.{r}.{d}"], dualStackNames: ["athena.{r}.api.aws"] },
  ebs: { names: ["ebs.{r}.{d}"], dualStackNames: ["ebs.{r}.api.aws"] },
  appmesh: { names: ["appmesh.{r}.{d}"], dualStackNames: ["appmesh.{r}.api.aws"] },
  servicediscovery: { names: ["servicediscovery.{r}.{d}"], dualStackNames: ["servicediscovery.{r}.api.aws"] },
  ec2: { names: ["ec2.{r}.{d}"], dualStackNames: ["ec2.{r}.api.aws"] },
};

/** Regionless services: their only endpoint lives in one region, so per-region centralization does not apply. */
export const GLOBAL_SERVICES: Readonly<Record<string, string>> = {
  iam: "com.amazonaws.iam is a global (regionless) service endpoint served from us-east-1 (LZA #1171)",
  route53: "com.amazonaws.route53 is a global (regionless) service endpoint served from us-east-1 (LZA #1010)",
  "s3-global.accesspoint": "com.amazonaws.s3-global.accesspoint is a global (regionless) Multi-Region Access Point endpoint",
};

/** Services that also have a gateway endpoint (route-table based, never shareable across VPCs). */
export const GATEWAY_CAPABLE_SERVICES: ReadonlySet<string> = new Set(["s3", "dynamodb"]);

/**
 * AWS services AWS enabled for cross-region PrivateLink (Nov 2025, "Cross-region enabled AWS services").
 * Every other AWS service, and every gateway endpoint, works only in its own region.
 */
export const CROSS_REGION_AWS_SERVICES: ReadonlySet<string> = new Set([
  "s3",
  "iam",
  "ecr.api",
  "ecr.dkr",
  "kms",
  "kms-fips",
  "ecs",
  "lambda",
  "kinesis-firehose",
  "kinesisanalytics",
  "kinesisanalytics-fips",
  "route53",
]);

export type ServiceNameParse =
  | { ok: true; short: string }
  | { ok: false; reason: string; fix: string };

/**
 * Accepts `ssm`, `com.amazonaws.<region>.ssm` or `aws.sagemaker.<region>.notebook` and returns the short name,
 * or why the name cannot be centralized in a hub of `region`.
 */
export function parseServiceName(input: string, region: string): ServiceNameParse {
  const trimmed = input.trim();
  const globalMatch = /^com\.amazonaws\.([a-z0-9.-]+)$/.exec(trimmed);
  if (globalMatch && GLOBAL_SERVICES[globalMatch[1]] !== undefined) return globalService(globalMatch[1]);
  const full = FULL_NAME.exec(trimmed);
  let short = trimmed;
  if (full) {
    if (full[2] !== region) {
      return {
        ok: false,
        reason: `names region ${full[2]}, but this hub is in ${region}`,
        fix: `use the short name "${full[3]}" (the hub's region is implied) or move the service to a hub in ${full[2]}`,
      };
    }
    short = full[3].replace(/\.cn$/, "");
  }
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(short)) {
    return { ok: false, reason: `"${input}" is not a service name`, fix: "use a short name such as ssm, ecr.api or s3" };
  }
  if (GLOBAL_SERVICES[short] !== undefined) return globalService(short);
  return { ok: true, short };
}

function globalService(short: string): ServiceNameParse {
  return {
    ok: false,
    reason: `${GLOBAL_SERVICES[short]}, so it cannot be centralized per region`,
    fix: "remove it from the hub; reach it through its us-east-1 endpoint (or a hub in us-east-1 with cross-region PrivateLink)",
  };
}

/**
 * An AWS service consumed through PrivateLink from `region`: like `parseServiceName`, except that the
 * global services (iam, route53) are valid there, in us-east-1 only, where their endpoint lives.
 */
export function parseConsumedAwsService(input: string, region: string): ServiceNameParse {
  const bare = input.trim().replace(new RegExp(`^com\\.amazonaws\\.(?:${REGION_BODY}\\.)?`), "");
  if (GLOBAL_SERVICES[bare] !== undefined) {
    return region === "us-east-1"
      ? { ok: true, short: bare }
      : { ok: false, reason: `${GLOBAL_SERVICES[bare]}: its PrivateLink service exists only in us-east-1`, fix: "set awsService.region: us-east-1" };
  }
  return parseServiceName(input, region);
}

/** The PrivateLink service name of an AWS service: `com.amazonaws.iam` for the global ones. */
export function awsServiceName(short: string, region: string): string {
  return GLOBAL_SERVICES[short] !== undefined ? `com.amazonaws.${short}` : endpointServiceName(short, region);
}

/**
 * The full endpoint service name in `region`, e.g. `com.amazonaws.ap-northeast-1.ssm`; per service and
 * partition from the AWS CDK's table (`cn.com.amazonaws.cn-north-1.ecr.api`, `aws.sagemaker.<r>.notebook`).
 */
export function endpointServiceName(short: string, region: string): string {
  return regionalServiceName(short, region);
}

/** A full name: `<prefix>.<region>.<short>[.cn]`, the prefixes of interface-services.ts. */
const FULL_NAME = new RegExp(`^(cn\\.com\\.amazonaws|com\\.amazonaws|aws\\.sagemaker|aws\\.api)\\.(${REGION_BODY})\\.(.+)$`);

/** Every service short name this release knows a regional interface endpoint of. */
export function knownServices(): string[] {
  return [...new Set([...INTERFACE_SERVICES, ...Object.keys(SERVICE_CATALOG), ...CROSS_REGION_AWS_SERVICES])].filter((s) => GLOBAL_SERVICES[s] === undefined).sort();
}

/** Whether the catalog or the interface-service table knows `short`. */
export function isKnownService(short: string): boolean {
  return INTERFACE_SERVICES.has(short) || SERVICE_CATALOG[short] !== undefined || CROSS_REGION_AWS_SERVICES.has(short);
}

/** One private hosted zone and the record names (apex and wildcard) it holds. */
export interface ZonePlan {
  readonly name: string;
  readonly recordNames: readonly string[];
}

export interface ServiceDnsPlan {
  readonly short: string;
  readonly serviceName: string;
  readonly zones: readonly ZonePlan[];
  /** True when the names came from the catalog or the fallback rather than an override. */
  readonly fromCatalog: boolean;
}

export interface ServiceDnsOptions {
  /** Names given in the topology; replace the catalog entirely. */
  readonly dnsNames?: readonly string[];
  readonly dualStack?: boolean;
}

/** Expands the DNS names a service's clients use into zones with apex and wildcard records. */
export function planServiceDns(short: string, region: string, options: ServiceDnsOptions = {}): ServiceDnsPlan {
  const entry = SERVICE_CATALOG[short];
  let names: readonly string[];
  if (options.dnsNames !== undefined) {
    names = options.dnsNames;
  } else {
    const base = entry?.names ?? [`${short}.{r}.{d}`];
    names = options.dualStack ? [...base, ...(entry?.dualStackNames ?? [])] : base;
  }
  const suffix = dnsSuffixOf(region);
  const expanded = names.map((n) => n.replace(/\{r\}/g, region).replace(/\{d\}/g, suffix).toLowerCase().replace(/\.$/, ""));
  return {
    short,
    serviceName: endpointServiceName(short, region),
    zones: zonesFor(expanded),
    fromCatalog: options.dnsNames === undefined,
  };
}

/**
 * Groups names by apex. Every zone gets its apex record, so the private zone never answers NXDOMAIN for
 * a name the public DNS would resolve, plus a wildcard record when any name of the zone is a wildcard.
 */
export function zonesFor(names: readonly string[]): ZonePlan[] {
  const byApex = new Map<string, Set<string>>();
  for (const name of names) {
    const apex = name.startsWith("*.") ? name.slice(2) : name;
    const records = byApex.get(apex) ?? new Set<string>([apex]);
    records.add(name);
    byApex.set(apex, records);
  }
  return [...byApex.entries()].map(([name, records]) => ({
    name,
    recordNames: [...records].sort((a, b) => (a === name ? -1 : b === name ? 1 : a.localeCompare(b))),
  }));
}

/** Checks one DNS name given as an override; returns a reason when invalid. */
export function invalidDnsName(name: string): string | undefined {
  const bare = name.startsWith("*.") ? name.slice(2) : name;
  if (bare.includes("*")) return "a wildcard may only be the whole first label (*.example.com)";
  const labels = bare.replace(/\.$/, "").split(".");
  if (labels.length < 2) return "needs at least two labels";
  if (bare.length > 253) return "is longer than 253 characters";
  for (const label of labels) {
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(label)) return `has an invalid label "${label}"`;
  }
  return undefined;
}
