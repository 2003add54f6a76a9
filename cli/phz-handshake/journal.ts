/**
 * What a handshake must remember across runs on one machine: the change id of an association whose
 * INSYNC it did not see (a crash, a cancellation), so the next run can wait for it instead of
 * reporting an association it cannot vouch for. One small file per (zone, VPC) pair, in the user's own
 * state directory (state.ts: never through a symbolic link).
 */
import * as fs from "fs";
import * as path from "path";
import { privateDir, readPrivate, stateDir, writePrivate } from "./state";

export interface JournalEntry {
  readonly changeId: string;
  readonly recordedAt: string;
}

export class Journal {
  readonly dir: string;

  constructor(dir = path.join(stateDir(), "journal")) {
    this.dir = dir;
  }

  private file(pair: string): string {
    return path.join(this.dir, `${pair.replace(/[^A-Za-z0-9-]+/g, "_")}.json`);
  }

  read(pair: string): JournalEntry | undefined {
    try {
      const entry = JSON.parse(readPrivate(this.file(pair)) ?? "null");
      return typeof entry?.changeId === "string" ? entry : undefined;
    } catch {
      return undefined;
    }
  }

  record(pair: string, changeId: string): void {
    try {
      privateDir(this.dir);
      writePrivate(this.file(pair), JSON.stringify({ changeId, recordedAt: new Date().toISOString() }));
    } catch {
      // a journal is a convenience: a read-only temp directory must not fail the handshake
    }
  }

  clear(pair: string): void {
    fs.rmSync(this.file(pair), { force: true });
  }
}
