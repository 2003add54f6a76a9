const { loadTopologyText } = require("../dist/topology/load");
const fs = require("fs");
const yaml = require("yaml");
const base = yaml.parse(fs.readFileSync("examples/topology.yaml", "utf8"));
function tryIt(label, mutate) {
  const d = JSON.parse(JSON.stringify(base)); mutate(d);
  try { loadTopologyText(JSON.stringify(d), "t"); console.log(label, "=> OK"); } catch (e) { console.log(label, "=>", e.message.split("\n").slice(1).join(" | ").slice(0, 400)); }
}
tryIt("topology name ../x", (d) => { d.name = "../../etc"; });
tryIt("hub key ../x", (d) => { d.hubs["../evil"] = d.hubs.tokyo; delete d.hubs.tokyo; });
tryIt("spoke key with slash", (d) => { d.spokes["a/../../b"] = d.spokes["app-tokyo"]; delete d.spokes["app-tokyo"]; });
tryIt("privateLink key ..", (d) => { d.privateLink[".."] = d.privateLink["orders-api"]; delete d.privateLink["orders-api"]; });
tryIt("consumer key ../", (d) => { d.privateLink["orders-api"].consumers["../x"] = d.privateLink["orders-api"].consumers.tokyo; delete d.privateLink["orders-api"].consumers.tokyo; });
tryIt("backend dir ../../", (d) => { d.backend = { kind: "local", directory: "../../../../tmp" }; });
tryIt("account key ../", (d) => { d.accounts["../x"] = d.accounts["network-hub"]; });
tryIt("vpc key", (d) => { d.vpcs["../../x"] = d.vpcs["app-tokyo"]; });
