/**
 * Who ran a change, as AWS CloudTrail shows it: the role session names of the providers and of the handshake
 * carry a run id (`privatelink-<run id>`, `phz-handshake-<run id>`), so the changes of two CI jobs, or of a job
 * and a colleague, are told apart. One owner for the contract between the stacks (the Terraform variable they
 * declare) and the commands (which set it, `TF_VAR_<name>`, and read it for the handshake).
 */

/** The Terraform variable every stack declares; its value names the provider's role sessions. */
export const RUN_ID_VARIABLE = "privatelink_run_id";

/** What a role session name may hold (IAM: `[\w+=,.@-]`), and at most 32 of it here (the prefix takes the rest of 64). */
export const RUN_ID_PATTERN = /^[A-Za-z0-9+=,.@_-]{1,32}$/;

/**
 * A run id from the environment: PRIVATELINK_RUN_ID, else the stacks' variable as terraform gets it
 * (TF_VAR_privatelink_run_id: the handshake inherits terraform's environment), else the CI system's job
 * (GitHub Actions, GitLab, Jenkins, Buildkite, CircleCI), else "local".
 */
export function runIdFromEnv(env: NodeJS.ProcessEnv): string {
  const raw =
    env.PRIVATELINK_RUN_ID ||
    env[`TF_VAR_${RUN_ID_VARIABLE}`] ||
    (env.GITHUB_RUN_ID ? `gh-${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? "1"}` : undefined) ||
    (env.CI_JOB_ID ? `gl-${env.CI_JOB_ID}` : undefined) ||
    (env.BUILD_TAG ? env.BUILD_TAG : undefined) ||
    (env.BUILDKITE_BUILD_ID ? `bk-${env.BUILDKITE_BUILD_ID}` : undefined) ||
    (env.CIRCLE_WORKFLOW_JOB_ID ? `cc-${env.CIRCLE_WORKFLOW_JOB_ID}` : undefined) ||
    "local";
  const clean = raw.replace(/[^A-Za-z0-9+=,.@_-]/g, "-").slice(0, 32);
  return RUN_ID_PATTERN.test(clean) ? clean : "local";
}
