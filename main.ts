/**
 * The CDKTF app: reads the topology named by $TOPOLOGY (default: the bundled example), validates it
 * and synthesizes one Terraform stack per role. Invalid input: every problem is printed and nothing
 * is written. $TARGET_ENDPOINT points every stack at a local AWS API emulator instead of AWS.
 */
import * as path from "path";
import { loadTopologyFile } from "./topology/load";
import { ValidationError } from "./modules/errors";
import { TopologyError } from "./topology/problems";
import { SynthError, synthesize } from "./synth/synthesize";
import { estateFileFor } from "./synth/estate";
import { importsFileFor } from "./synth/imports";

const DEFAULT_TOPOLOGY = "examples/topology.yaml";

function main(): void {
  const started = process.hrtime.bigint();
  const file = process.env.TOPOLOGY || DEFAULT_TOPOLOGY;
  try {
    const { model } = loadTopologyFile(file, { targetEndpoint: process.env.TARGET_ENDPOINT || undefined });
    // The project's lock file sits next to the topology (commit it): synth seeds the stacks with it.
    // The estate record sits next to it too (commit it): what was removed stays, retired, until destroyed.
    const result = synthesize(model, {
      lockFile: path.join(path.dirname(file), ".terraform.lock.hcl"),
      estate: { file: process.env.PRIVATELINK_ESTATE || estateFileFor(file) },
      importsFile: importsFileFor(file),
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const resources = result.stacks.reduce((n, s) => n + s.resources, 0);
    console.log(`Synthesized ${result.stacks.length} stacks (${resources} resources) from ${file} into ${result.outdir} in ${seconds.toFixed(2)} s`);
    for (const stack of result.stacks) console.log(`  ${stack.name}: ${stack.resources} resources`);
    for (const stack of result.retired.stacks) console.log(`  ${stack}: retired (removed from the topology; the next apply destroys what its state holds)`);
    for (const [stack, zones] of Object.entries(result.retired.pairs)) console.log(`  ${stack}: ${zones.length} retired pair(s) to disassociate: ${zones.join(", ")}`);
    for (const [stack, zones] of Object.entries(result.retired.waiting)) {
      console.log(`  ${stack}: ${zones.length} old pair(s) kept until its Profile association is in its state (then \`privatelink deploy\` retires them, or a synth that can read the state)`);
    }
    for (const warning of result.warnings) console.error(`warning: ${warning}`);
  } catch (error) {
    // A construct refusing a validated topology is a validation gap, still bad input: no stack trace.
    if (error instanceof TopologyError || error instanceof SynthError || error instanceof ValidationError) {
      console.error(error.message);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
}

main();
