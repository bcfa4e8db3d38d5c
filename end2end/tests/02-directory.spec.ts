import { expect, test, type Page } from "@playwright/test";
import { gatehouse, newOrganization, open, type Org, signIn } from "../support";

test.describe.configure({ mode: "serial" });

const ada = { name: "Ada Lovelace", email: "ada@directory.example.com", password: "correct horse battery" };
let acme: Org;
let org: string;
test.beforeAll(() => {
  acme = newOrganization("Directory Corp", ada);
  org = acme.path;
});

/** Adds members straight into the e2e database with the real binary. */
function seed(members: number) {
  gatehouse(["dev", "seed", "--org", acme.slug, "--members", String(members)]);
}

async function signInAsAda(page: Page) {
  await signIn(page, ada.email, ada.password);
  await expect(page).toHaveURL(/\/members$/);
}

test("members, roles, groups and projects", async ({ page }) => {
  await signInAsAda(page);

  // The last Admin cannot be demoted.
  await page.getByRole("main").getByRole("link", { name: "Ada Lovelace" }).click();
  await expect(page.getByTestId("member-name")).toHaveText("Ada Lovelace");
  await page.locator("html[data-hydrated]").waitFor();
  await page.getByLabel("Role").first().selectOption({ label: "Viewer" });
  await page.getByRole("button", { name: "Save roles and groups" }).click();
  await expect(page.getByRole("alert")).toHaveText("An organization needs at least one active Admin");

  // A custom role.
  await open(page, `${org}/roles`);
  await page.getByRole("button", { name: "New role" }).click();
  const newRole = page.getByRole("dialog", { name: "New role" });
  await newRole.getByLabel("Name").fill("Auditor");
  await newRole.getByLabel("Description").fill("Reads the audit log");
  await newRole.getByLabel("org.read").check();
  await newRole.getByLabel("audit.read").check();
  await newRole.getByRole("button", { name: "Create role" }).click();
  await expect(newRole).toBeHidden();
  await expect(page.getByTestId("role-row").filter({ hasText: "Auditor" })).toContainText("org.read, audit.read");

  // A project.
  await open(page, `${org}/projects`);
  await page.getByRole("button", { name: "New project" }).click();
  const newProject = page.getByRole("dialog", { name: "New project" });
  await newProject.getByLabel("Project name").fill("Apollo");
  await newProject.getByRole("button", { name: "Create project" }).click();
  await expect(page.getByTestId("toasts")).toContainText("Project created.");
  await expect(newProject).toBeHidden();
  await expect(page.getByTestId("project-row")).toHaveCount(1);

  // A group holding the custom role.
  await open(page, `${org}/groups`);
  await page.getByRole("button", { name: "New group" }).click();
  const newGroup = page.getByRole("dialog", { name: "New group" });
  await newGroup.getByLabel("Group name").fill("Auditors");
  await newGroup.getByRole("button", { name: "Create group" }).click();
  await expect(newGroup).toBeHidden();
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
  await expect(page.getByTestId("toasts")).toContainText("Saved.");

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
  await expect(page.getByTestId("toasts")).toContainText("Owner changed.");
  await open(page, memberUrl);
  // The confirmation says what happens; without a new owner for the project, the server refuses.
  await page.getByRole("button", { name: "Remove member" }).click();
  let confirm = page.getByRole("dialog", { name: `Remove ${name}?` });
  await expect(confirm).toContainText("archived for good");
  await expect(confirm).toContainText("They own 1 project(s): choose a new owner first.");
  await confirm.getByRole("button", { name: "Remove member" }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByRole("alert")).toContainText("owns 1 project");
  await page.getByLabel("New owner").selectOption({ label: "Ada Lovelace" });
  await page.getByRole("button", { name: "Remove member" }).click();
  confirm = page.getByRole("dialog", { name: `Remove ${name}?` });
  await expect(confirm).toContainText("Their 1 project(s) go to Ada Lovelace.");
  await confirm.getByRole("button", { name: "Remove member" }).click();
  await expect(page.getByTestId("member-status")).toHaveText("Archived");
  await expect(page.getByRole("button", { name: "Reactivate" })).toHaveCount(0);
  await expect(page.getByText("cannot be reactivated")).toBeVisible();

  await open(page, `${org}/members?status=archived`);
  await expect(page.getByTestId("member-row").filter({ hasText: email })).toHaveCount(1);
  await open(page, `${org}/projects`);
  await expect(page.getByLabel("Owner")).toHaveValue(/.+/);
  await expect(page.getByLabel("Owner").locator("option:checked")).toHaveText("Ada Lovelace");
});
