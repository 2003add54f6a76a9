import { removeTempDirs } from "./helpers";

// Synth outputs carry the handshake bundle per spoke: do not let them pile up in the temp directory.
afterAll(() => removeTempDirs());
