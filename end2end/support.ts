import { execFileSync } from "node:child_process";

/** The database `run-server.sh` gave the server under test. */
export function databaseUrl(): string {
  const pg = process.env.E2E_POSTGRES;
  return pg ? `${pg.slice(0, pg.lastIndexOf("/"))}/gatehouse_e2e` : "sqlite://.e2e/gatehouse.db";
}

/** Runs the real binary against the e2e database (e.g. `dev seed`). */
export function gatehouse(args: string[]) {
  execFileSync(process.env.GATEHOUSE_BIN ?? "../target/release/gatehouse", args, {
    env: { ...process.env, DATABASE_URL: databaseUrl(), GATEHOUSE_LOG: "warn" },
  });
}
