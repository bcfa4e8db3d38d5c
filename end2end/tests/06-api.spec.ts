import { type APIRequestContext, expect, test } from "@playwright/test";
import { newOrganization, type Org, orgToken } from "../support";

let acme: Org;
test.beforeAll(() => {
  acme = newOrganization("Api Corp", { name: "Ada Lovelace", email: "ada@api.example.com", password: "correct horse battery" });
});

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

async function status(request: APIRequestContext, method: string, path: string, token?: string, data?: unknown) {
  const r = await request.fetch(`/api/v1${path}`, { method, headers: token ? bearer(token) : {}, data });
  return r.status();
}

test("every documented operation is served, to tokens only", async ({ request }) => {
  const doc = await (await request.get("/api/v1/openapi.json")).json();
  expect(doc.openapi).toBe("3.1.0");
  const someId = "01900000-0000-7000-8000-000000000000";
  let operations = 0;
  for (const [path, item] of Object.entries<Record<string, unknown>>(doc.paths)) {
    for (const method of ["get", "post", "put", "patch", "delete"]) {
      if (!(method in item) || path === "/openapi.json") continue;
      operations++;
      const r = await request.fetch(`/api/v1${path.replace("{user_id}", someId).replace("{id}", someId)}`, {
        method: method.toUpperCase(),
      });
      expect(r.status(), `${method} ${path}`).toBe(401);
      expect(r.headers()["content-type"]).toBe("application/problem+json");
    }
  }
  expect(operations).toBe(35);
});

test("an operator's tokens: an Admin's reads and changes, a Viewer's only reads", async ({ request }) => {
  const admin = orgToken(acme, "admin");
  const viewer = orgToken(acme, "viewer");
  expect(admin).toMatch(/^gth_o_[0-9A-Za-z]{49}$/);
  for (const path of ["/me", "/members", "/invitations", "/roles", "/groups", "/projects", "/tokens", "/audit"]) {
    expect(await status(request, "GET", path, admin), path).toBe(200);
  }
  const me = await (await request.get("/api/v1/me", { headers: bearer(viewer) })).json();
  expect(me.kind).toBe("organization_token");
  expect(me.organization.slug).toBe(acme.slug);
  expect(me.permissions).toEqual(["org.read", "members.read", "resources.read"]);
  expect(await status(request, "GET", "/members?q=ada", viewer)).toBe(200);
  expect(await status(request, "GET", "/audit", viewer)).toBe(403);
  expect(await status(request, "POST", "/groups", viewer, { name: "Nope" })).toBe(403);

  const created = await request.post("/api/v1/groups", { headers: bearer(admin), data: { name: "API team" } });
  expect(created.status()).toBe(201);
  const group = await created.json();
  expect(await status(request, "PATCH", `/groups/${group.id}`, admin, { name: "Platform team" })).toBe(200);
  expect(await status(request, "DELETE", `/groups/${group.id}`, admin)).toBe(204);
  expect(await status(request, "GET", `/groups/${group.id}`, admin)).toBe(404);

  const csv = await request.get(`/api/v1/audit?format=csv&target=${group.id}`, { headers: bearer(admin) });
  expect(csv.headers()["content-type"]).toContain("text/csv");
  const lines = (await csv.text()).trim().split("\n");
  expect(lines[0]).toMatch(/^id,time,actor_kind,/);
  expect(lines.slice(1).map((l) => l.split(",")[5])).toEqual(["group.deleted", "group.renamed", "group.created"]);
});
