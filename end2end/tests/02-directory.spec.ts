import { expect, test, type Page } from "@playwright/test";
import { gatehouse } from "../support";

// Runs after 01-foundation.spec.ts: the organization "Acme Corp" exists with Ada as its only Admin.
test.describe.configure({ mode: "serial" });

const ada = { email: "ada@example.com", password: "correct horse battery" };
const org = "/o/acme-corp";

async function signIn(page: Page) {
  await page.goto("/signin");
  await page.locator("html[data-hydrated]").waitFor();
  await page.getByLabel("Email").fill(ada.email);
  await page.locator("#password").fill(ada.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/members$/);
}

async function open(page: Page, path: string) {
  await page.goto(path);
  await page.locator("html[data-hydrated]").waitFor();
}

/** Adds members straight into the e2e database with the real binary. */
function seed(members: number) {
  gatehouse(["dev", "seed", "--org", "acme-corp", "--members", String(members)]);
}

test("members, roles, groups and projects", async ({ page }) => {
  await signIn(page);

  // The last Admin cannot be demoted.
  await page.getByRole("main").getByRole("link", { name: "Ada Lovelace" }).click();
  await expect(page.getByTestId("member-name")).toHaveText("Ada Lovelace");
  await page.locator("html[data-hydrated]").waitFor();
  await page.getByLabel("Role").first().selectOption({ label: "Viewer" });
  await page.getByRole("button", { name: "Save roles and groups" }).click();
  await expect(page.getByRole("alert")).toHaveText("An organization needs at least one active Admin");

  // A custom role.
  await open(page, `${org}/roles`);
  await page.getByLabel("Name").fill("Auditor");
  await page.getByLabel("Description").fill("Reads the audit log");
  await page.getByLabel("org.read").check();
  await page.getByLabel("audit.read").check();
  await page.getByRole("button", { name: "Create role" }).click();
  await expect(page.getByTestId("role-row").filter({ hasText: "Auditor" })).toContainText("org.read, audit.read");

  // A project.
  await open(page, `${org}/projects`);
  await page.getByPlaceholder("Project name").fill("Apollo");
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page.getByTestId("project-row")).toHaveCount(1);

  // A group holding the custom role.
  await open(page, `${org}/groups`);
  await page.getByPlaceholder("Group name").fill("Auditors");
  await page.getByRole("button", { name: "Create group" }).click();
  const card = page.getByTestId("group-card").filter({ hasText: "Auditors" });
  await expect(card).toBeVisible();
  await card.getByRole("button", { name: "Add a role" }).click();
  await card.getByLabel("Role").selectOption({ label: "Auditor" });
  await card.getByRole("button", { name: "Save group roles" }).click();
  await expect(page.getByTestId("group-card").filter({ hasText: "Auditors" }).locator(".badge")).toHaveText("Auditor");

  // A second member, who joins the group.
  seed(6);
  await open(page, `${org}/members`);
  const other = page.getByTestId("member-row").filter({ hasNotText: ada.email }).first();
  const email = (await other.locator("td").nth(1).innerText()).trim();
  const name = (await other.locator("td").nth(0).innerText()).trim();
  await other.getByRole("link").click();
  await expect(page.getByTestId("member-name")).toHaveText(name);
  await page.locator("html[data-hydrated]").waitFor();
  await page.getByLabel("Auditors").check();
  await page.getByRole("button", { name: "Save roles and groups" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved.");

  // Found by email, with the inherited role marked with the group's name.
  await open(page, `${org}/members`);
  await page.getByPlaceholder("Search by name, email or user id").fill(email);
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("member-row")).toHaveCount(1);
  const row = page.getByTestId("member-row");
  await expect(row).toContainText(email);
  // The member may be in a seeded group too: look at the badge this group gave.
  await expect(row.locator(".badge.inherited").filter({ hasText: "via Auditors" })).toHaveText("Auditor via Auditors");

  // Deactivate and reactivate.
  await row.getByRole("link").click();
  await page.locator("html[data-hydrated]").waitFor();
  await page.getByRole("button", { name: "Deactivate" }).click();
  await expect(page.getByTestId("member-status")).toHaveText("Deactivated");
  await open(page, `${org}/members?status=deactivated`);
  await expect(page.getByTestId("member-row").filter({ hasText: email })).toHaveCount(1);
  await page.getByTestId("member-row").filter({ hasText: email }).getByRole("link").click();
  await page.locator("html[data-hydrated]").waitFor();
  await page.getByRole("button", { name: "Reactivate" }).click();
  await expect(page.getByTestId("member-status")).toHaveText("Active");
  const memberUrl = page.url();

  // They take over the project, then are removed with a replacement owner.
  await open(page, `${org}/projects`);
  await page.getByLabel("Owner").selectOption({ label: name });
  await expect(page.getByRole("status")).toHaveText("Owner changed.");
  await open(page, memberUrl);
  await page.getByRole("button", { name: "Remove member" }).click();
  await expect(page.getByRole("alert")).toContainText("owns 1 project");
  await page.getByLabel("New owner").selectOption({ label: "Ada Lovelace" });
  await page.getByRole("button", { name: "Remove member" }).click();
  await expect(page.getByTestId("member-status")).toHaveText("Archived");
  await expect(page.getByRole("button", { name: "Reactivate" })).toHaveCount(0);
  await expect(page.getByText("cannot be reactivated")).toBeVisible();

  await open(page, `${org}/members?status=archived`);
  await expect(page.getByTestId("member-row").filter({ hasText: email })).toHaveCount(1);
  await open(page, `${org}/projects`);
  await expect(page.getByLabel("Owner")).toHaveValue(/.+/);
  await expect(page.getByLabel("Owner").locator("option:checked")).toHaveText("Ada Lovelace");
});
