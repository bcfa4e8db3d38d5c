import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, expect, type Page, request, test } from "@playwright/test";

/** The database `run-server.sh` gave the server under test. */
export function databaseUrl(): string {
  const pg = process.env.E2E_POSTGRES;
  return pg ? `${pg.slice(0, pg.lastIndexOf("/"))}/gatehouse_e2e_main` : "sqlite://.e2e/main/gatehouse.db";
}

export const binary = process.env.GATEHOUSE_BIN ?? "../target/release/gatehouse";

/** Runs the real binary against the e2e database (e.g. `dev seed`). */
export function gatehouse(args: string[], env: Record<string, string> = {}) {
  execFileSync(binary, args, {
    env: { ...process.env, DATABASE_URL: databaseUrl(), GATEHOUSE_LOG: "warn", ...env },
  });
}

export interface Person {
  name: string;
  email: string;
  password: string;
}

export interface Org {
  name: string;
  slug: string;
  /** The console's path of the organization, e.g. `/o/acme-corp`. */
  path: string;
  admin: Person;
}

/** The slug the server derives from a name ("Acme Corp." → "acme-corp"). */
export function slugOf(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
}

/** A new organization and its first Admin, made by the operator command: each spec starts from
 * organizations of its own, so every file runs alone and in any order. */
export function newOrganization(name: string, admin: Person): Org {
  gatehouse(["admin", "create", "--org", name, "--email", admin.email, "--name", admin.name], {
    GATEHOUSE_ADMIN_PASSWORD: admin.password,
  });
  const slug = slugOf(name);
  return { name, slug, path: `/o/${slug}`, admin };
}

/** An organization token made by the operator command; its secret is printed once. */
export function orgToken(org: Org, role: string): string {
  return execFileSync(binary, ["token", "create", "--org", org.slug, "--name", `e2e ${role}`, "--role", role], {
    env: { ...process.env, DATABASE_URL: databaseUrl(), GATEHOUSE_LOG: "warn" },
  })
    .toString()
    .trim();
}

/** `person` joins `org` holding `role` (`viewer`, `editor`, `admin`): invited over the API, they
 * accept the emailed link in a browser of their own and create their account. */
export async function joinAs(browser: Browser, org: Org, person: Person, role: string) {
  const api = await request.newContext({ baseURL: test.info().project.use.baseURL });
  const invited = await api.post("/api/v1/invitations", {
    headers: { Authorization: `Bearer ${orgToken(org, "admin")}` },
    data: { email: person.email, bindings: [{ role, project: null }] },
  });
  expect(invited.status(), await invited.text()).toBe(201);
  await api.dispose();
  const mail = await mailTo(person.email);
  const context = await browser.newContext();
  const page = await context.newPage();
  await open(page, mail.link!);
  await page.getByLabel("Your name").fill(person.name);
  await page.locator("#password").fill(person.password);
  await page.getByRole("button", { name: "Create account and join" }).click();
  await expect(page).toHaveURL(new RegExp(`${org.path}/members$`));
  await context.close();
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
export function mails(dir = ".e2e/main/mail"): Mail[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".eml"))
    .sort()
    .map((f) => {
      const raw = readFileSync(join(dir, f), "utf8");
      const qp = raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
      // Parts in base64 (mail in another language than English) decoded too.
      const decoded = [...raw.matchAll(/Content-Transfer-Encoding: base64\r?\n\r?\n([A-Za-z0-9+/=\r\n]+)/g)].map((m) =>
        Buffer.from(m[1].replace(/\s+/g, ""), "base64").toString("utf8"),
      );
      const body = [qp, ...decoded].join("\n");
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
