import { expect, test, type Page } from "@playwright/test";
import { newOrganization, mailTo, open, type Org, signIn } from "../support";

test.describe.configure({ mode: "serial" });

const ada = { name: "Ada Lovelace", email: "ada@invitations.example.com", password: "correct horse battery" };
let acme: Org;
let invitations: string;
test.beforeAll(() => {
  acme = newOrganization("Acme Corp", ada);
  invitations = `${acme.path}/invitations`;
});

async function invite(page: Page, email: string, role: string) {
  await open(page, invitations);
  await page.getByRole("button", { name: "Invite people" }).click();
  const dialog = page.getByRole("dialog", { name: "Invite someone" });
  await dialog.getByLabel("Email").fill(email);
  await dialog.getByLabel("Organization role").selectOption({ label: role });
  await dialog.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByTestId("toasts")).toContainText("Invitation sent.");
  await expect(dialog).toBeHidden();
}

function row(page: Page, email: string) {
  return page.getByTestId("invitation-row").filter({ hasText: email });
}

test("a new person accepts an invitation and appears with their role", async ({ page, browser }) => {
  await signIn(page, ada.email, ada.password);
  await expect(page).toHaveURL(/\/members$/);
  await invite(page, "newbie@example.com", "Editor");
  await expect(row(page, "newbie@example.com")).toContainText("Editor");

  const mail = await mailTo("newbie@example.com");
  expect(mail.subject).toContain("invited you to Acme Corp");
  expect(mail.body).toContain("Ada Lovelace");
  expect(mail.body).toMatch(/expires on \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
  expect(mail.link).toBeTruthy();

  // A fresh browser, as the invited person has.
  const fresh = await browser.newContext();
  const them = await fresh.newPage();
  await open(them, mail.link!);
  await expect(them.getByRole("heading", { name: "Join Acme Corp" })).toBeVisible();
  await them.getByLabel("Your name").fill("Newbie Newman");
  await them.locator("#password").fill("a long enough password");
  await them.getByRole("button", { name: "Create account and join" }).click();
  await expect(them).toHaveURL(/\/o\/acme-corp\/members$/);
  await expect(them.getByTestId("current-user")).toHaveText("Newbie Newman");

  // The link works once.
  await open(them, mail.link!);
  await expect(them.getByRole("heading", { name: "This invitation has already been used" })).toBeVisible();
  await fresh.close();

  await open(page, "/o/acme-corp/members?q=newbie%40example.com");
  const member = page.getByRole("row").filter({ hasText: "Newbie Newman" });
  await expect(member).toContainText("Editor");
  await open(page, `${invitations}?status=accepted`);
  await expect(row(page, "newbie@example.com")).toContainText("Accepted");
});

test("a registered user of another organization accepts after signing in and switches", async ({ page, browser }) => {
  newOrganization("Beta Labs", { name: "Bea Beta", email: "bea@example.com", password: "bea's long password" });
  await signIn(page, ada.email, ada.password);
  await expect(page).toHaveURL(/\/members$/);
  await invite(page, "bea@example.com", "Viewer");
  const mail = await mailTo("bea@example.com");
  expect(mail.subject).toBe("You have been given access to Acme Corp");

  const fresh = await browser.newContext();
  const bea = await fresh.newPage();
  await open(bea, mail.link!);
  await bea.getByRole("link", { name: "Sign in to accept" }).click();
  await expect(bea).toHaveURL(/\/signin\?next=/);
  await bea.locator("html[data-hydrated]").waitFor();
  await bea.getByLabel("Email").fill("bea@example.com");
  await bea.locator("#password").fill("bea's long password");
  await bea.getByRole("button", { name: "Sign in" }).click();
  await expect(bea).toHaveURL(/\/invite\//);
  await bea.locator("html[data-hydrated]").waitFor();
  await bea.getByRole("button", { name: "Accept invitation" }).click();
  await expect(bea).toHaveURL(/\/o\/acme-corp\/members$/);
  await expect(bea.getByTestId("org-name")).toHaveText("Acme Corp");

  // Both organizations are hers now.
  await bea.locator("summary", { hasText: "Organizations" }).click();
  await bea.getByRole("link", { name: "Switch to Beta Labs" }).click();
  await expect(bea).toHaveURL(/\/o\/beta-labs\/members$/);
  await expect(bea.getByTestId("org-name")).toHaveText("Beta Labs");
  await bea.locator("summary", { hasText: "Organizations" }).click();
  await bea.getByRole("link", { name: "Switch to Acme Corp" }).click();
  await expect(bea).toHaveURL(/\/o\/acme-corp\/members$/);
  await fresh.close();
});

test("resend kills the old link; withdraw kills the new one", async ({ page }) => {
  await signIn(page, ada.email, ada.password);
  await expect(page).toHaveURL(/\/members$/);
  await invite(page, "twice@example.com", "Viewer");
  const first = await mailTo("twice@example.com", 1);

  await row(page, "twice@example.com").getByRole("button", { name: "Resend" }).click();
  await expect(page.getByTestId("toasts")).toContainText("A new link is on its way; the old one no longer works.");
  const second = await mailTo("twice@example.com", 2);
  expect(second.link).not.toBe(first.link);

  await open(page, first.link!);
  await expect(page.getByRole("heading", { name: "This invitation link does not work" })).toBeVisible();

  // Inviting the address again offers the resend instead.
  await open(page, invitations);
  await page.getByRole("button", { name: "Invite people" }).click();
  const dialog = page.getByRole("dialog", { name: "Invite someone" });
  await dialog.getByLabel("Email").fill("twice@example.com");
  await dialog.getByRole("button", { name: "Send invitation" }).click();
  await expect(dialog.getByRole("alert")).toContainText("already has a pending invitation");
  await dialog.getByRole("button", { name: "Resend the invitation" }).click();
  const third = await mailTo("twice@example.com", 3);
  expect(third.link).not.toBe(second.link);

  await open(page, invitations);
  await row(page, "twice@example.com").getByRole("button", { name: "Withdraw" }).click();
  const confirm = page.getByRole("dialog", { name: "Withdraw the invitation to twice@example.com?" });
  await expect(confirm).toContainText("stops working at once");
  await confirm.getByRole("button", { name: "Withdraw" }).click();
  await expect(page.getByTestId("toasts")).toContainText("Invitation withdrawn; its link no longer works.");
  await open(page, third.link!);
  await expect(page.getByRole("heading", { name: "This invitation was withdrawn" })).toBeVisible();
  await open(page, second.link!);
  await expect(page.getByRole("heading", { name: "This invitation link does not work" })).toBeVisible();
  await open(page, `${invitations}?status=withdrawn`);
  await expect(row(page, "twice@example.com")).toContainText("Withdrawn");
});

test("bulk invitation reports every line", async ({ page }) => {
  await signIn(page, ada.email, ada.password);
  await expect(page).toHaveURL(/\/members$/);
  await open(page, invitations);
  await page.getByRole("button", { name: "Invite many" }).click();
  await page.getByLabel("Addresses").fill(
    ["bulk1@example.com", "bulk2@example.com,Editor", "not-an-address", "bulk1@example.com", "bulk3@example.com"].join("\n"),
  );
  await page.getByRole("button", { name: "Invite all" }).click();
  await expect(page.getByTestId("bulk-progress")).toContainText("5 of 5 lines processed");
  const lines = page.getByTestId("bulk-line");
  await expect(lines).toHaveCount(5);
  const results = ["invited", "invited", "invalid", "already invited", "invited"];
  for (const [i, result] of results.entries()) {
    await expect(lines.nth(i).locator("td").nth(2)).toHaveText(result);
  }
  await expect(lines.nth(2)).toContainText("name@example.com");
  await expect(row(page, "bulk2@example.com")).toContainText("Editor");
});
