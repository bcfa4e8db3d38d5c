import { expect, request, test } from "@playwright/test";
import { readdirSync, readFileSync } from "node:fs";
import { gatehouse, joinAs, newOrganization, open, orgToken, signIn } from "../support";

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
  // Remembered for the whole site, not only this path.
  const remembered = (await context.cookies()).find((c) => c.name === "i18n_pref_locale");
  expect(remembered?.value).toBe("de");
  expect(remembered?.path).toBe("/");
  await open(page, "/signin");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(text("de", "auth", "sign_in_title"));
  // The server drew that page from the cookie without rewriting it: still the browser's,
  // for a year, not a cookie that ends with the browser session.
  const kept = (await context.cookies()).filter((c) => c.name === "i18n_pref_locale");
  expect(kept).toHaveLength(1);
  expect(kept[0].expires * 1000).toBeGreaterThan(Date.now() + 300 * 24 * 3600 * 1000);
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
  const org = newOrganization("Roga i Kopyta", ivan);
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

/** Every English text of the catalogue that `lang` words differently, as fragments a page
 * would show (the longest literal run of a value with placeholders). */
function englishFragments(lang: string): string[] {
  const same = new Set(
    readFileSync("../app/locales/same.txt", "utf8")
      .split("\n")
      .filter((l) => l.trim() && !l.startsWith("#"))
      .filter((l) => l.trim().split(/\s+/)[1] === lang)
      .map((l) => l.trim().split(/\s+/)[0]),
  );
  const fragments = new Set<string>();
  for (const file of readdirSync("../app/locales/en")) {
    const part = file.replace(/\.json$/, "");
    const en: Record<string, string> = JSON.parse(readFileSync(`../app/locales/en/${file}`, "utf8"));
    const other: Record<string, string> = JSON.parse(readFileSync(`../app/locales/${lang}/${file}`, "utf8"));
    const theirs = new Set(Object.values(other));
    for (const [key, value] of Object.entries(en)) {
      const base = key.replace(/_(zero|one|two|few|many|other)$/, "");
      if (same.has(`${part}.${key}`) || same.has(`${part}.${base}`) || theirs.has(value)) continue;
      const longest = value
        .split(/\{\{[^}]*\}\}|<[^>]*>/)
        .map((s) => s.trim())
        .sort((a, b) => b.length - a.length)[0];
      if (longest && longest.length >= 4 && /[A-Za-z]{3}/.test(longest)) fragments.add(longest);
    }
  }
  return [...fragments];
}

/** The fragments that stand as words of their own in `text` (not inside a longer word, nor in a
 * permission id such as `members.read`). */
function englishIn(text: string, fragments: string[]): string[] {
  const escape = (f: string) => f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return fragments.filter((f) => new RegExp(`(?<![\\p{L}\\p{N}.])${escape(f)}(?![\\p{L}\\p{N}]|\\.\\w)`, "u").test(text));
}

/** What a person reads on the page: its text and the labels of its controls. */
async function readable(page: import("@playwright/test").Page): Promise<string> {
  return page.evaluate(() => {
    const attrs = [...document.querySelectorAll("[aria-label],[placeholder],[title]")].flatMap((e) =>
      ["aria-label", "placeholder", "title"].map((a) => e.getAttribute(a) ?? ""),
    );
    // Left out: identifiers (`<code>`: CSV columns, ids).
    const body = document.body.cloneNode(true) as HTMLElement;
    body.querySelectorAll("code, script, style, template").forEach((e) => e.remove());
    return [body.innerText, ...attrs, document.title].join("\n");
  });
}

for (const lang of ["de", "zh", "ru"]) {
  test(`no English is left on any page in ${lang}`, async ({ browser }) => {
    const admin = { name: "Lena Lang", email: `lena-${lang}@languages.example.com`, password: "correct horse battery" };
    const org = newOrganization(`Sprachprobe ${lang}`, admin);
    gatehouse(["dev", "seed", "--org", org.slug, "--members", "12"]);
    const api = await request.newContext({ baseURL: test.info().project.use.baseURL });
    const headers = { Authorization: `Bearer ${orgToken(org, "admin")}` };
    expect((await api.patch("/api/v1/organization", { headers, data: { default_language: lang } })).status()).toBe(200);
    expect((await api.post("/api/v1/invitations", { headers, data: { email: `guest-${lang}@languages.example.com`, bindings: [{ role: "viewer", project: null }] } })).status()).toBe(201);
    await api.dispose();
    const context = await browser.newContext({ locale: "en-US" });
    const page = await context.newPage();
    await signIn(page, admin.email, admin.password);
    await expect(page).toHaveURL(/\/members$/);
    const fragments = englishFragments(lang);
    const member = await page.getByTestId("member-row").nth(1).getByRole("link").first().getAttribute("href");
    const found: string[] = [];
    for (const path of ["members", "members?status=invited", "members?status=archived", "invitations", "roles", "groups", "projects", "tokens", "settings", null, "/profile"]) {
      const target = path === null ? member! : path.startsWith("/") ? path : `${org.path}/${path}`;
      await open(page, target);
      await expect(page.locator("html")).toHaveAttribute("lang", lang);
      const seen = await readable(page);
      for (const f of englishIn(seen, fragments)) found.push(`${target}: ${JSON.stringify(f)}`);
    }
    // The dialogs too.
    await open(page, `${org.path}/members?status=invited`);
    await page.locator("#open-invite").click();
    const dialogText = await readable(page);
    for (const f of englishIn(dialogText, fragments)) found.push(`invite dialog: ${JSON.stringify(f)}`);
    expect(found, `English left in ${lang}`).toEqual([]);

    // On a phone, the longer German words and the Chinese and Russian texts fit too: nothing
    // scrolls sideways. Screenshots go to screenshots/ for a person to look at.
    await page.setViewportSize({ width: 390, height: 844 });
    const wide: string[] = [];
    for (const [name, path] of [["members", "members"], ["invited", "members?status=invited"], ["invitations", "invitations"], ["roles", "roles"], ["tokens", "tokens"], ["settings", "settings"], ["member", null]] as const) {
      await open(page, path === null ? member! : `${org.path}/${path}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (overflow > 0) wide.push(`${name}: ${overflow}px`);
      await page.screenshot({ path: `screenshots/phone-${lang}-${name}.png`, fullPage: true });
    }
    expect(wide, `pages wider than a phone in ${lang}`).toEqual([]);
    await context.close();
  });
}
