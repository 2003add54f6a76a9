/**
 * Facts that differ between AWS partitions, in one table: looked up, never spread as string literals.
 */
import { Partition } from "./patterns";

export interface PartitionInfo {
  readonly id: Partition;
  /** DNS suffix of regional service names (`ssm.<region>.amazonaws.com`). */
  readonly dnsSuffix: string;
  /** Region that serves the partition's global endpoints (Route 53, IAM, STS's global endpoint). */
  readonly globalRegion: string;
}

export const PARTITION_INFO: Readonly<Record<Partition, PartitionInfo>> = {
  aws: { id: "aws", dnsSuffix: "amazonaws.com", globalRegion: "us-east-1" },
  "aws-cn": { id: "aws-cn", dnsSuffix: "amazonaws.com.cn", globalRegion: "cn-northwest-1" },
  "aws-us-gov": { id: "aws-us-gov", dnsSuffix: "amazonaws.com", globalRegion: "us-gov-west-1" },
};

/** The partition a region belongs to. */
export function partitionOf(region: string): Partition {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** DNS suffix of the region's service names. */
export function dnsSuffixOf(region: string): string {
  return PARTITION_INFO[partitionOf(region)].dnsSuffix;
}

/** Region to send a partition's global-service calls (Route 53, STS) to, for a resource in `region`. */
export function globalRegionOf(region: string): string {
  return PARTITION_INFO[partitionOf(region)].globalRegion;
}
