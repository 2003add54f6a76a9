/** `privatelink <args>` run in this process from a working directory, with its output captured. */
import { main } from "../../cli/privatelink";

export function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out: () => out.join(""), err: () => err.join("") };
}

/** Runs the command in `work` (the process's directory is restored after): exit code, stdout, stderr. */
export async function runIn(work: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  const c = capture();
  const cwd = process.cwd();
  process.chdir(work);
  try {
    return { code: await main(args, env, c.io), out: c.out(), err: c.err() };
  } finally {
    process.chdir(cwd);
  }
}
