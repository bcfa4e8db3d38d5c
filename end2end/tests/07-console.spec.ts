import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { gatehouse, joinAs, mailTo, newOrganization, open, type Org, orgToken, signIn } from "../support";

// The console as a person sees it: every page at a desktop's and a phone's size, checked by axe
// (WCAG 2.2 AA), never scrolling sideways, operable by keyboard alone. Screenshots of every page
// at both sizes go to end2end/screenshots/ (not committed) for a person to look at.
test.describe.configure({ mode: "serial" });

const ada = { name: "Ada Lovelace", email: "ada@console.example.com", password: "correct horse battery" };
let acme: Org;
let memberPath = "";

const sizes = [
  { name: "desktop", width: 1280, height: 900 },
  { name: "phone", width: 360, height: 780 },
] as const;

const shots = "screenshots";
mkdirSync(shots, { recursive: true });

test.beforeAll(() => {
  acme = newOrganization("Console Corp", ada);
  gatehouse(["dev", "seed", "--org", acme.slug, "--members", "40"]);
});

/** Serious and critical axe findings on the page as it is now (WCAG 2.0–2.2 A and AA). */
async function axeFindings(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
    .analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** How far the page scrolls sideways (0 when it fits). */
async function sidewaysScroll(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

async function check(page: Page, name: string, size: (typeof sizes)[number]) {
  await page.screenshot({ path: `${shots}/${size.name}-${name}.png`, fullPage: true });
  expect(await axeFindings(page), `${name} at ${size.name}`).toEqual([]);
  expect(await sidewaysScroll(page), `${name} scrolls sideways at ${size.name}`).toBe(0);
}

for (const size of sizes) {
  test(`signed out, ${size.name}: axe finds nothing serious and nothing scrolls sideways`, async ({ page, request }) => {
    await page.setViewportSize(size);
    await open(page, "/signin");
    await check(page, "signin", size);
    await page.goto("/signup");
    await check(page, "signup-closed", size);
    await page.goto(`/invite/${"x".repeat(43)}`);
    await check(page, "invite-invalid", size);
    // A link that works: the page where a new person creates their account and joins.
    const guest = `guest-${size.name}@console.example.com`;
    const invited = await request.post("/api/v1/invitations", {
      headers: { Authorization: `Bearer ${orgToken(acme, "admin")}` },
      data: { email: guest, bindings: [{ role: "viewer", project: null }] },
    });
    expect(invited.status()).toBe(201);
    await open(page, (await mailTo(guest)).link!);
    await expect(page.getByRole("heading", { name: "Join Console Corp" })).toBeVisible();
    await check(page, "invite-accept", size);
  });

  test(`an Admin, ${size.name}: every page passes axe and fits the screen`, async ({ page }) => {
    await page.setViewportSize(size);
    await signIn(page, ada.email, ada.password);
    await expect(page).toHaveURL(/\/members$/);
    for (const section of ["members", "members?status=invited", "invitations", "roles", "groups", "projects", "tokens", "settings"]) {
      await open(page, `${acme.path}/${section}`);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await check(page, section.replace("?status=", "-"), size);
    }
    await open(page, `${acme.path}/members`);
    memberPath ||= (await page.getByTestId("member-row").nth(1).getByRole("link").first().getAttribute("href"))!;
    await open(page, memberPath);
    await check(page, "member", size);
    await open(page, "/profile");
    await check(page, "profile", size);
    // The dialogs, open.
    await open(page, `${acme.path}/invitations`);
    await page.getByRole("button", { name: "Invite people" }).click();
    await expect(page.getByRole("dialog", { name: "Invite someone" })).toBeVisible();
    await check(page, "dialog-invite", size);
  });
}

test("the dark theme follows the system and keeps its contrast", async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: "dark", viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signIn(page, ada.email, ada.password);
  await expect(page).toHaveURL(/\/members$/);
  const background = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  expect(background).toBe("rgb(18, 22, 29)");
  for (const section of ["members", "tokens"]) {
    await open(page, `${acme.path}/${section}`);
    await check(page, `dark-${section}`, sizes[0]);
  }
  await context.close();
});

test("only the tab being shown is marked current", async ({ page }) => {
  await signIn(page, ada.email, ada.password);
  await expect(page).toHaveURL(/\/members$/);
  await open(page, `${acme.path}/members?status=deactivated`);
  const tabs = page.getByRole("navigation", { name: "Member status" });
  await expect(tabs.locator('[aria-current="page"]')).toHaveText(["Deactivated"]);
  await open(page, `${acme.path}/invitations?status=expired`);
  await expect(page.getByRole("navigation", { name: "Invitation status" }).locator('[aria-current="page"]')).toHaveText(["Expired"]);
  // The header marks the section.
  await expect(page.getByRole("navigation", { name: "Organization" }).locator('[aria-current="page"]')).toHaveText(["Invitations"]);
});

test("the Invited tab lists open invitations in place, with resend and withdraw", async ({ page }) => {
  await signIn(page, ada.email, ada.password);
  await expect(page).toHaveURL(/\/members$/);
  // "Invite people" on the Active tab opens the dialog on the Invited tab.
  await page.locator("html[data-hydrated]").waitFor();
  await page.getByRole("link", { name: "Invite people" }).click();
  await expect(page).toHaveURL(/\/members\?status=invited/);
  const dialog = page.getByRole("dialog", { name: "Invite someone" });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Email").fill("tab@console.example.com");
  await dialog.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByTestId("toasts")).toContainText("Invitation sent.");
  const tabs = page.getByRole("navigation", { name: "Member status" });
  await expect(tabs.locator('[aria-current="page"]')).toHaveText(["Invited"]);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Members");
  const row = page.getByTestId("invitation-row").filter({ hasText: "tab@console.example.com" });
  await expect(row).toContainText("Pending");
  // Sent "just now", expiring "in 3 days": times relative to the page, the exact time on hover.
  await expect(row.locator("time").first()).toHaveText("just now");
  await expect(row.locator("time").nth(1)).toHaveText(/^in \d+ \w+$/);
  await expect(row.locator("time").nth(1)).toHaveAttribute("title", /UTC$/);
  // Resend, then withdraw: both from the row, without leaving the members page.
  await row.getByRole("button", { name: "Resend" }).click();
  await expect(page.getByTestId("toasts")).toContainText("A new link is on its way");
  await row.getByRole("button", { name: "Withdraw" }).click();
  const confirm = page.getByRole("dialog", { name: "Withdraw the invitation to tab@console.example.com?" });
  await confirm.getByRole("button", { name: "Withdraw" }).click();
  await expect(page.getByTestId("toasts")).toContainText("Invitation withdrawn");
  await expect(row).toHaveCount(0);
  await expect(page).toHaveURL(/\/members\?status=invited/);
  // Withdrawn ones are history: on the invitations page's Withdrawn tab.
  await open(page, `${acme.path}/invitations?status=withdrawn`);
  await expect(page.getByTestId("invitation-row").filter({ hasText: "tab@console.example.com" })).toBeVisible();
});

test("a Viewer is offered only what a Viewer may do", async ({ browser }) => {
  const viewer = { name: "Vera Viewer", email: "vera@console.example.com", password: "correct horse battery" };
  await joinAs(browser, acme, viewer, "viewer");
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, viewer.email, viewer.password);
  await expect(page).toHaveURL(/\/members$/);
  await expect(page.getByRole("heading", { name: "Members" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Invite people" })).toHaveCount(0);
  await open(page, `${acme.path}/invitations`);
  await expect(page.getByRole("button", { name: "Invite people" })).toHaveCount(0);
  await open(page, `${acme.path}/groups`);
  await expect(page.getByRole("button", { name: "New group" })).toHaveCount(0);
  await expect(page.getByRole("navigation", { name: "Organization" }).getByRole("link", { name: "Settings" })).toHaveCount(0);
  // Leaving asks first, and Cancel leaves everything as it was.
  await page.locator("summary", { hasText: "Organizations" }).click();
  await page.getByRole("button", { name: "Leave Console Corp" }).click();
  const leave = page.getByRole("dialog", { name: "Leave Console Corp?" });
  await expect(leave).toContainText("an Admin has to invite you again");
  await leave.getByRole("button", { name: "Cancel" }).click();
  await expect(leave).toBeHidden();
  await open(page, `${acme.path}/members`);
  await expect(page.getByRole("heading", { name: "Members" })).toBeVisible();
  // A page they may not open says so in a sentence.
  await open(page, `${acme.path}/settings`);
  await expect(page.getByRole("heading", { name: "You cannot open this page" })).toBeVisible();
  await check(page, "viewer-settings", sizes[1]);
  await context.close();
});

test("on a phone the sections are behind a menu button", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await signIn(page, ada.email, ada.password);
  await expect(page).toHaveURL(/\/members$/);
  await page.locator("html[data-hydrated]").waitFor();
  const nav = page.getByRole("navigation", { name: "Organization" });
  await expect(nav.getByRole("link", { name: "Tokens" })).toBeHidden();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeHidden();
  const menu = page.getByRole("button", { name: "Menu" });
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await menu.click();
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await nav.getByRole("link", { name: "Tokens" }).click();
  await expect(page).toHaveURL(/\/tokens$/);
  await expect(nav.getByRole("link", { name: "Tokens" })).toBeHidden();
  expect(await sidewaysScroll(page)).toBe(0);
});

/** Presses Tab until `target` has the focus (at most 60 times): the keyboard way to reach it. */
async function tabTo(page: Page, target: ReturnType<Page["locator"]>) {
  for (let i = 0; i < 60; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`Tab never reached ${target}`);
}

test("keyboard only: invite someone, create a token, remove a member", async ({ page }) => {
  await signIn(page, ada.email, ada.password);
  await expect(page).toHaveURL(/\/members$/);

  // Invite, from the members page's Invited tab.
  await open(page, `${acme.path}/members?status=invited`);
  const invite = page.getByRole("button", { name: "Invite people" });
  await tabTo(page, invite);
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Invite someone" });
  await expect(dialog).toBeVisible();
  await tabTo(page, dialog.getByLabel("Email"));
  await page.keyboard.type("keys@example.com");
  await tabTo(page, dialog.getByRole("button", { name: "Send invitation" }));
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("toasts")).toContainText("Invitation sent.");
  await expect(dialog).toBeHidden();
  // Focus is back where it was before the dialog opened.
  await expect(invite).toBeFocused();
  await expect(page.getByTestId("invitation-row").filter({ hasText: "keys@example.com" })).toBeVisible();

  // Escape closes a dialog without doing anything.
  await page.keyboard.press("Enter");
  await expect(dialog).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(invite).toBeFocused();

  // A token.
  await open(page, `${acme.path}/tokens`);
  const create = page.getByRole("button", { name: "Create token" });
  await tabTo(page, create);
  await page.keyboard.press("Enter");
  const tokenDialog = page.getByRole("dialog", { name: "Create a token" });
  await expect(tokenDialog).toBeVisible();
  await tabTo(page, tokenDialog.getByLabel("Name", { exact: true }));
  await page.keyboard.type("keyboard");
  await tabTo(page, tokenDialog.getByRole("button", { name: "Create token" }));
  await page.keyboard.press("Enter");
  const secretDialog = page.getByRole("dialog", { name: "Your new token" });
  await expect(secretDialog.getByTestId("token-secret")).toHaveText(/^gth_u_/);
  await tabTo(page, secretDialog.getByRole("button", { name: "Done" }));
  await page.keyboard.press("Enter");
  await expect(secretDialog).toBeHidden();
  await expect(page.getByTestId("token-row").filter({ hasText: "keyboard" })).toBeVisible();

  // Remove a member: the confirmation says what happens, Cancel has the focus first.
  await open(page, `${acme.path}/members?status=active`);
  const row = page.getByTestId("member-row").nth(3);
  const name = (await row.getByRole("link").first().innerText()).trim();
  await tabTo(page, row.getByRole("link").first());
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("member-name")).toHaveText(name);
  await page.locator("html[data-hydrated]").waitFor();
  await tabTo(page, page.getByRole("button", { name: "Remove member" }));
  await page.keyboard.press("Enter");
  const confirm = page.getByRole("dialog", { name: `Remove ${name}?` });
  await expect(confirm).toBeVisible();
  await expect(confirm.getByRole("button", { name: "Cancel" })).toBeFocused();
  await tabTo(page, confirm.getByRole("button", { name: "Remove member" }));
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("member-status")).toHaveText("Archived");
});
