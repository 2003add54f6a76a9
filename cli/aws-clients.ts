/**
 * AWS SDK clients of the commands that call AWS themselves (preflight, the deploy's authorization sweep,
 * import): one place for the emulator switch (a local target's endpoint and its dummy keys, never real ones)
 * and for assuming an account's deploy role.
 */
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { globalRegionOf } from "../aws/partitions";

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Client settings: under a local target the emulator's endpoint (and its dummy keys without credentials); else the SDK's default chain. */
export function clientSettings(endpoint: string | undefined, region: string, options: { credentials?: AwsCredentials; maxAttempts: number; adaptive?: boolean }) {
  return {
    region,
    maxAttempts: options.maxAttempts,
    ...(options.adaptive ? { retryMode: "adaptive" } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : endpoint ? { credentials: { accessKeyId: "test", secretAccessKey: "test" } } : {}),
  };
}

/** The credentials of a role, assumed with the caller's (in the partition of `region`). */
export async function assumeRole(endpoint: string | undefined, roleArn: string, sessionName: string, region: string, options: { durationSeconds: number; maxAttempts: number }): Promise<AwsCredentials> {
  const sts = new STSClient(clientSettings(endpoint, globalRegionOf(region), { maxAttempts: options.maxAttempts }));
  const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: options.durationSeconds }));
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole ${roleArn} returned no credentials`);
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}
