import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, type Page } from "@playwright/test";

/** The database `run-server.sh` gave the server under test. */
export function databaseUrl(): string {
  const pg = process.env.E2E_POSTGRES;
  return pg ? `${pg.slice(0, pg.lastIndexOf("/"))}/gatehouse_e2e` : "sqlite://.e2e/gatehouse.db";
}

export const binary = process.env.GATEHOUSE_BIN ?? "../target/release/gatehouse";

/** Runs the real binary against the e2e database (e.g. `dev seed`). */
export function gatehouse(args: string[], env: Record<string, string> = {}) {
  execFileSync(binary, args, {
    env: { ...process.env, DATABASE_URL: databaseUrl(), GATEHOUSE_LOG: "warn", ...env },
  });
}

export async function open(page: Page, path: string) {
  await page.goto(path);
  await page.locator("html[data-hydrated]").waitFor();
}

export async function signIn(page: Page, email: string, password: string) {
  await open(page, "/signin");
  await page.getByLabel("Email").fill(email);
  await page.locator("#password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export interface Mail {
  file: string;
  to: string;
  subject: string;
  /** The message with quoted-printable soft line breaks undone. */
  body: string;
  link: string | undefined;
}

/** Every message the server wrote to the mail folder, oldest first (file names are UUIDv7). */
export function mails(dir = ".e2e/mail"): Mail[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".eml"))
    .sort()
    .map((f) => {
      const raw = readFileSync(join(dir, f), "utf8");
      const body = raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
      const header = (name: string) => raw.match(new RegExp(`^${name}: (.*)$`, "mi"))?.[1]?.trim() ?? "";
      return {
        file: f,
        to: header("To"),
        subject: header("Subject"),
        body,
        link: body.match(/https?:\/\/[^\s"<]+\/invite\/[A-Za-z0-9_-]{43}/)?.[0],
      };
    });
}

/** Waits for the `n`-th message to `to` (1-based) and returns it. */
export async function mailTo(to: string, n = 1): Promise<Mail> {
  let found: Mail | undefined;
  await expect
    .poll(
      () => {
        found = mails().filter((m) => m.to.includes(to))[n - 1];
        return found !== undefined;
      },
      { timeout: 20_000, message: `mail #${n} to ${to}` },
    )
    .toBe(true);
  return found!;
}
