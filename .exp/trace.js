const { Route53Emulator } = require("../dist/tools/route53-emulator");
const { spawn } = require("child_process");
(async () => {
  const e = new Route53Emulator(); const url = await e.start(); e.addAccessKey("AK", "999900001111");
  e.addVpc("vpc-a0000000", "111122223333", "ap-northeast-1"); const z = e.addZone("svc.ap-northeast-1.amazonaws.com", "111122223333", { id: "vpc-a0000000", region: "ap-northeast-1" });
  e.addVpc("vpc-b0000000", "222200000000", "ap-northeast-3");
  const t0 = Date.now();
  const c = spawn(process.execPath, ["--cpu-prof", "--cpu-prof-dir=/tmp/prof", "dist/assets/phz-handshake.cjs", "associate"], { env: { ...process.env, AWS_ENDPOINT_URL: url, AWS_ACCESS_KEY_ID: "AK", AWS_SECRET_ACCESS_KEY: "x", AWS_REGION: "us-east-1", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", PHZ_ZONE_ID: z, PHZ_VPC_ID: "vpc-b0000000", PHZ_VPC_REGION: "ap-northeast-3", PHZ_ZONE_ROLE_ARN: "arn:aws:iam::111122223333:role/d", PHZ_VPC_ROLE_ARN: "arn:aws:iam::222200000000:role/d", PHZ_PACING_DIR: "/tmp/tracepace", PHZ_STATE_DIR: "/tmp/tracestate" } });
  c.stderr.on("data", (d) => process.stdout.write(`${Date.now() - t0} ms ${d}`));
  c.on("exit", async () => { for (const k of e.calls) console.log(k.at - t0, k.operation, k.account); await e.stop(); });
})();
