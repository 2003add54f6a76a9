/** `npx privatelink`: the entry point of the privatelink bundle (dist/assets/privatelink.cjs). */
import { isMainThread } from "worker_threads";
import { main } from "../privatelink";

/** The handshake guard re-requires the bundle that started it: this one too. */
export { sweepNow } from "../phz-handshake/main";

// The bundle is also the script of the worker thread that synthesizes --changed-since's reference (cli/changed.ts).
if (require.main === module && isMainThread) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
