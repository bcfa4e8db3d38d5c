import { expect, test, type Page } from "@playwright/test";

// A server of its own on an empty database (the "first-run" project): the first flow is the
// installation's first run, and the later ones build on it.
test.describe.configure({ mode: "serial" });

const admin = {
  org: "Acme Corp",
  name: "Ada Lovelace",
  email: "ada@example.com",
  password: "correct horse battery",
};

async function signIn(page: Page, email: string, password: string) {
  await page.goto("/signin");
  await page.locator("html[data-hydrated]").waitFor();
  await page.getByLabel("Email").fill(email);
  await page.locator("#password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("first run: sign up, sign out, a wrong password, sign in", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/signup$/);
  await page.locator("html[data-hydrated]").waitFor();
  await page.getByLabel("Organization name").fill(admin.org);
  await page.getByLabel("Your name").fill(admin.name);
  await page.getByLabel("Email").fill(admin.email);
  await page.locator("#password").fill(admin.password);
  await page.getByRole("button", { name: "Create organization" }).click();

  await expect(page).toHaveURL(/\/o\/acme-corp\/members$/);
  await expect(page.getByTestId("org-name")).toHaveText(admin.org);
  await expect(page.getByTestId("current-user")).toHaveText(admin.name);
  const me = page.getByTestId("member-row").filter({ hasText: admin.email });
  await expect(me).toContainText(admin.name);
  await expect(me).toContainText("Admin");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin$/);
  // Signed out for real: the members page sends us back to sign in.
  await page.goto("/o/acme-corp/members");
  await expect(page).toHaveURL(/\/signin$/);

  // A wrong password and an unknown email get the same, generic answer.
  await signIn(page, admin.email, "not my password");
  const wrongPassword = page.getByRole("alert");
  await expect(wrongPassword).toHaveText("The email or password is incorrect");
  await signIn(page, "nobody@example.com", "not my password");
  await expect(page.getByRole("alert")).toHaveText("The email or password is incorrect");
  await expect(page).toHaveURL(/\/signin$/);

  await signIn(page, admin.email, admin.password);
  await expect(page).toHaveURL(/\/o\/acme-corp\/members$/);
  await expect(page.getByTestId("org-name")).toHaveText(admin.org);
});

test("sign-up is not offered once an organization exists", async ({ page }) => {
  const response = await page.goto("/signup");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Sign-up is not available" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Create organization" })).toHaveCount(0);
  await expect(page.getByLabel("Organization name")).toHaveCount(0);
  // The sign-in page no longer links to it either.
  await page.goto("/signin");
  await expect(page.getByRole("heading", { name: "Sign in to Gatehouse" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Create an organization" })).toHaveCount(0);
});

test("the page hydrates: the password toggle works in the browser", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto("/signin");
  // Set by the WebAssembly once it has taken over the server-rendered page.
  await page.locator("html[data-hydrated]").waitFor();
  const password = page.locator("#password");
  await expect(password).toHaveAttribute("type", "password");
  await page.getByRole("button", { name: "Show password" }).click();
  await expect(password).toHaveAttribute("type", "text");
  await expect(page.getByRole("button", { name: "Hide password" })).toHaveAttribute("aria-pressed", "true");
  expect(errors).toEqual([]);
});

test("the members page renders on the server with JavaScript disabled", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/signin");
  await page.getByLabel("Email").fill(admin.email);
  await page.locator("#password").fill(admin.password);
  // A plain form post: the server sets the cookie and redirects.
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/o\/acme-corp\/members$/);
  await expect(page.getByRole("heading", { name: "Members" })).toBeVisible();
  await expect(page.getByTestId("org-name")).toHaveText(admin.org);
  await expect(page.getByTestId("member-row").filter({ hasText: admin.email })).toContainText("Admin");
  expect(await page.locator("html[data-hydrated]").count()).toBe(0);
  await context.close();
});
