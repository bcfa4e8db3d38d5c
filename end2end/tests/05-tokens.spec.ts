import { type APIRequestContext, expect, test } from "@playwright/test";
import { joinAs, newOrganization, open, type Org, signIn } from "../support";

test.describe.configure({ mode: "serial" });

const ada = { name: "Ada Lovelace", email: "ada@tokens.example.com", password: "correct horse battery" };
const newbie = { name: "Newbie Newman", email: "newbie@tokens.example.com", password: "a long enough password" };
let acme: Org;
let tokens: string;
// Tokens Corp, with Newbie Newman as an Editor.
test.beforeAll(async ({ browser }) => {
  acme = newOrganization("Tokens Corp", ada);
  tokens = `${acme.path}/tokens`;
  await joinAs(browser, acme, newbie, "editor");
});

/** `GET /api/v1/me` with a bearer token: the status and, when it answers, the body. */
async function me(request: APIRequestContext, token: string) {
  const r = await request.get("/api/v1/me", { headers: { Authorization: `Bearer ${token}` } });
  return { status: r.status(), body: r.ok() ? await r.json() : await r.json().catch(() => null) };
}

test("an Editor's token: within their role, shown once, works on the API, regenerated, deleted", async ({ page, context, request }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signIn(page, newbie.email, newbie.password);
  await expect(page).toHaveURL(/\/members$/);
  await open(page, tokens);
  await page.getByRole("button", { name: "Create token" }).click();
  const form = page.getByRole("dialog", { name: "Create a token" });
  const role = form.getByLabel("Role");
  await expect(role.locator("option")).toHaveText(["Editor", "Viewer"]);
  await form.getByLabel("Name", { exact: true }).fill("deploys");
  await role.selectOption({ label: "Editor" });
  await form.getByRole("button", { name: "Create token" }).click();
  const secretDialog = page.getByRole("dialog", { name: "Your new token" });
  const secret = secretDialog.getByTestId("token-secret");
  await expect(secret).toHaveText(/^gth_u_[0-9A-Za-z]{49}$/);
  const first = (await secret.textContent())!;
  // Copied from the one-time dialog, it authenticates the API as the Editor.
  await secretDialog.getByRole("button", { name: "Copy" }).click();
  await expect(secretDialog.getByRole("button", { name: "Copied" })).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(first);
  const answer = await me(request, copied);
  expect(answer.status).toBe(200);
  expect(answer.body.kind).toBe("user_token");
  expect(answer.body.user.email).toBe(newbie.email);
  expect(answer.body.permissions).toEqual(["org.read", "members.read", "tokens.create", "resources.read", "resources.write"]);
  const row = page.getByTestId("token-row").filter({ hasText: "deploys" });
  await expect(row).toContainText(`…${first.slice(-4)}`);
  await expect(row).toContainText("Editor");
  await expect(row).toContainText("Active");

  // Gone after a reload, for good.
  await open(page, tokens);
  await expect(page.getByTestId("token-row").filter({ hasText: "deploys" })).toBeVisible();
  await expect(page.getByTestId("token-secret")).toHaveCount(0);
  expect(await page.content()).not.toContain(first);

  // The profile lists one's own tokens in every organization (never their secrets).
  await page.getByTestId("current-user").getByRole("link").click();
  await expect(page).toHaveURL(/\/profile$/);
  const own = page.getByTestId("own-token-row").filter({ hasText: "deploys" });
  await expect(own).toContainText("Tokens Corp");
  await expect(own).toContainText(`…${first.slice(-4)}`);
  await expect(own).toContainText("Editor");
  expect(await page.content()).not.toContain(first);
  await open(page, tokens);

  await page.getByTestId("token-row").filter({ hasText: "deploys" }).getByRole("button", { name: "Regenerate" }).click();
  const regenerate = page.getByRole("dialog", { name: "Regenerate “deploys”?" });
  await expect(regenerate).toContainText("The current secret stops working at once");
  await regenerate.getByRole("button", { name: "Regenerate" }).click();
  await expect(page.getByTestId("token-secret")).toHaveText(/^gth_u_/);
  const second = (await page.getByTestId("token-secret").textContent())!;
  expect(second).not.toBe(first);
  // The old secret stops working on the very next request; the new one works.
  expect((await me(request, first)).status).toBe(401);
  expect((await me(request, second)).status).toBe(200);

  await page.getByRole("dialog", { name: "Your new token" }).getByRole("button", { name: "Done" }).click();
  await page.getByTestId("token-row").filter({ hasText: "deploys" }).getByRole("button", { name: "Delete" }).click();
  const del = page.getByRole("dialog", { name: "Delete “deploys”?" });
  await expect(del).toContainText("This cannot be undone.");
  await del.getByRole("button", { name: "Delete token" }).click();
  await expect(page.getByTestId("toasts")).toContainText("Token deleted; it no longer works.");
  await expect(page.getByTestId("token-row").filter({ hasText: "deploys" })).toHaveCount(0);
  const gone = await me(request, second);
  expect(gone.status).toBe(401);
  expect(gone.body.type).toBe("urn:gatehouse:problem:unauthorized");
});

test("removing a member with an active token is refused until the tokens are revoked", async ({ page, browser }) => {
  const ctx = await browser.newContext();
  const them = await ctx.newPage();
  await signIn(them, newbie.email, newbie.password);
  await expect(them).toHaveURL(/\/members$/);
  await open(them, tokens);
  await them.getByRole("button", { name: "Create token" }).click();
  const form = them.getByRole("dialog", { name: "Create a token" });
  await form.getByLabel("Name", { exact: true }).fill("laptop");
  await form.getByRole("button", { name: "Create token" }).click();
  await expect(them.getByTestId("token-secret")).toBeVisible();
  await ctx.close();

  await signIn(page, ada.email, ada.password);
  await expect(page).toHaveURL(/\/members$/);
  await open(page, `${acme.path}/members?q=${encodeURIComponent(newbie.email)}`);
  await page.getByRole("link", { name: "Newbie Newman" }).click();
  await expect(page.getByTestId("member-name")).toHaveText("Newbie Newman");
  await page.locator("html[data-hydrated]").waitFor();
  await page.getByRole("button", { name: "Remove member" }).click();
  await page.getByRole("dialog", { name: "Remove Newbie Newman?" }).getByRole("button", { name: "Remove member" }).click();
  await expect(page.getByRole("alert")).toHaveText("This member has 1 active access token; revoke them first");
  await page.getByRole("button", { name: "Revoke tokens and remove" }).click();
  await expect(page.getByTestId("toasts")).toContainText("Removed.");
  await open(page, `${acme.path}/members?status=archived&q=${encodeURIComponent(newbie.email)}`);
  await expect(page.getByRole("row").filter({ hasText: "Newbie Newman" })).toBeVisible();
});
