import { schedule } from "../../cli/schedule";

const DEPS = new Map<string, string[]>([
  ["hub", []],
  ["service", []],
  ["spoke-a", ["hub"]],
  ["spoke-b", ["hub"]],
  ["consumer", ["service"]],
]);

/** Records start/end events of each stack; `slow` stacks take longer. */
function recorder(slow: string[] = [], fail: string[] = []) {
  const events: string[] = [];
  const run = async (stack: string) => {
    events.push(`start ${stack}`);
    await new Promise((r) => setTimeout(r, slow.includes(stack) ? 40 : 5));
    events.push(`end ${stack}`);
    return !fail.includes(stack);
  };
  return { events, run };
}

describe("stack scheduling", () => {
  it("applies a stack only after its dependencies, and starts it as soon as they are done", async () => {
    const { events, run } = recorder(["service"]);
    expect(await schedule(DEPS, "apply", run)).toBe(true);
    const at = (e: string) => events.indexOf(e);
    expect(at("start spoke-a")).toBeGreaterThan(at("end hub"));
    expect(at("start consumer")).toBeGreaterThan(at("end service"));
    // The spokes do not wait for the (slow) service.
    expect(at("start spoke-a")).toBeLessThan(at("end service"));
    expect(events.filter((e) => e.startsWith("start"))).toHaveLength(5);
  });

  it("destroys a stack only after every stack that depends on it", async () => {
    const { events, run } = recorder();
    expect(await schedule(DEPS, "destroy", run)).toBe(true);
    const at = (e: string) => events.indexOf(e);
    expect(at("start hub")).toBeGreaterThan(Math.max(at("end spoke-a"), at("end spoke-b")));
    expect(at("start service")).toBeGreaterThan(at("end consumer"));
  });

  it("does not run what waits for a failed stack", async () => {
    const { events, run } = recorder([], ["hub"]);
    expect(await schedule(DEPS, "apply", run)).toBe(false);
    expect(events).not.toContain("start spoke-a");
    expect(events).toContain("end consumer");
  });

  it("runs at most `parallel` stacks at once", async () => {
    let running = 0;
    let peak = 0;
    const run = async () => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
      return true;
    };
    expect(await schedule(new Map(Array.from({ length: 8 }, (_, i) => [`s${i}`, []])), "apply", run, 3)).toBe(true);
    expect(peak).toBe(3);
  });
});
