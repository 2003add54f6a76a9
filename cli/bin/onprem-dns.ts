/** `npx onprem-dns`: the entry point of the onprem-dns bundle (dist/assets/onprem-dns.cjs). */
import { main } from "../onprem-dns";

const result = main(process.argv.slice(2));
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
process.exitCode = result.code;
