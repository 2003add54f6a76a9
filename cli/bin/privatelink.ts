/** `npx privatelink`: the entry point of the privatelink bundle (dist/assets/privatelink.cjs). */
import { main } from "../privatelink";

/** The handshake guard re-requires the bundle that started it: this one too. */
export { sweepNow } from "../phz-handshake/main";

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
