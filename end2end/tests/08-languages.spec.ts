import { expect, request, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { joinAs, newOrganization, open, orgToken, signIn } from "../support";

// The console in the person's language: the browser's for a visitor, the person's own choice
// once signed in, else the organization's default; drawn by the server in that language and
// kept by hydration.
test.describe.configure({ mode: "serial" });

/** A value of the catalogue, as a page should show it. */
function text(lang: string, part: string, key: string): string {
  return JSON.parse(readFileSync(`../app/locales/${lang}/${part}.json`, "utf8"))[key];
}

test("a Chinese browser gets the sign-in page in Chinese, and the switcher changes it at once", async ({ browser }) => {
  const context = await browser.newContext({ locale: "zh-CN" });
  const page = await context.newPage();
  await open(page, "/signin");
  await expect(page.locator("html")).toHaveAttribute("lang", "zh");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(text("zh", "auth", "sign_in_title"));
  await expect(page.getByRole("button", { name: text("zh", "auth", "sign_in") })).toBeVisible();
  // No English on the page.
  const body = await page.locator("body").innerText();
  expect(body).not.toContain("Sign in");
  expect(body).not.toContain("Password");
  // The switcher: German at once, without a reload, and still German after one.
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
  await page.getByRole("button", { name: "Deutsch" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(text("de", "auth", "sign_in_title"));
  await expect(page.locator("html")).toHaveAttribute("lang", "de");
  expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
  await open(page, "/signin");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(text("de", "auth", "sign_in_title"));
  await context.close();
});

test("a person who chooses Deutsch sees the console in German without reloading", async ({ browser }) => {
  const ada = { name: "Ada Lovelace", email: "ada@languages.example.com", password: "correct horse battery" };
  const acme = newOrganization("Sprachen GmbH", ada);
  const context = await browser.newContext({ locale: "en-US" });
  const page = await context.newPage();
  await signIn(page, ada.email, ada.password);
  await expect(page).toHaveURL(/\/members$/);
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await open(page, "/profile");
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
  await page.getByLabel("Interface language").selectOption("de");
  await page.getByRole("button", { name: "Save language" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(text("de", "profile", "title"));
  await expect(page.getByText(text("de", "profile", "language_saved"))).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "de");
  expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
  // Every page from now on, drawn by the server in German.
  await open(page, `${acme.path}/members`);
  await expect(page.locator("html")).toHaveAttribute("lang", "de");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(text("de", "members", "title"));
  await expect(page.getByTestId("member-count")).toHaveText("1 aktives Mitglied");
  await expect(page.getByRole("navigation", { name: text("de", "common", "nav_label") })).toBeVisible();
  await page.screenshot({ path: "screenshots/de-members.png", fullPage: true });
  // A validation error, in German, beside its field.
  await open(page, `${acme.path}/settings`);
  await page.getByLabel(text("de", "settings", "name")).fill("!!!");
  await page.getByRole("button", { name: text("de", "settings", "save") }).click();
  await expect(page.locator(".field-error")).toHaveText(text("de", "errors", "field_org_name_letter"));
  // A conflict, in German: inviting someone who is already a member.
  await open(page, `${acme.path}/members?status=invited`);
  await page.getByRole("button", { name: text("de", "invitations", "invite_people") }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel(text("de", "invitations", "email")).fill(ada.email);
  await dialog.getByRole("button", { name: text("de", "invitations", "send_invitation") }).click();
  await expect(dialog.getByRole("alert")).toHaveText(text("de", "errors", "already_member").replace("{{ email }}", ada.email));
  await page.screenshot({ path: "screenshots/de-invite-conflict.png", fullPage: true });
  const body = await page.locator("body").innerText();
  for (const english of ["Members", "Invite", "Cancel", "already a member"]) expect(body).not.toContain(english);
  await context.close();
});

test("Russian counts members with the right plural forms", async ({ browser }) => {
  const ivan = { name: "Иван Петров", email: "ivan@languages.example.com", password: "correct horse battery" };
  const org = newOrganization("Рога и копыта", ivan);
  // The organization's default language, set over the API; the members have chosen none.
  const api = await request.newContext({ baseURL: test.info().project.use.baseURL });
  const set = await api.patch("/api/v1/organization", {
    headers: { Authorization: `Bearer ${orgToken(org, "admin")}` },
    data: { default_language: "ru" },
  });
  expect(set.status(), await set.text()).toBe(200);
  expect((await set.json()).default_language).toBe("ru");
  await api.dispose();
  const context = await browser.newContext({ locale: "en-US" });
  const page = await context.newPage();
  await signIn(page, ivan.email, ivan.password);
  await expect(page).toHaveURL(/\/members$/);
  await expect(page.locator("html")).toHaveAttribute("lang", "ru");
  const count = page.getByTestId("member-count");
  await expect(count).toHaveText("1 активный участник");
  for (const [i, expected] of [
    [2, "2 активных участника"],
    [5, "5 активных участников"],
  ] as const) {
    while (true) {
      const n = Number((await count.innerText()).split(" ")[0]);
      if (n >= i) break;
      await joinAs(browser, org, { name: `Участник ${n + 1}`, email: `member${n + 1}@languages.example.com`, password: "correct horse battery" }, "viewer");
      await open(page, `${org.path}/members`);
    }
    await expect(count).toHaveText(expected);
  }
  await page.screenshot({ path: "screenshots/ru-members.png", fullPage: true });
  await context.close();
});
