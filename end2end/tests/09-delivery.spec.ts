// How the console's files reach the browser: names that change with the content, kept for a
// year; brotli or gzip as the browser accepts; pages and API answers compressed too.
import { expect, request, test } from "@playwright/test";
import { newOrganization, orgToken } from "../support";

test("console files are hashed, precompressed and cached for good; pages and answers are compressed", async () => {
  const api = await request.newContext({ baseURL: test.info().project.use.baseURL });
  const page = await api.get("/signin", { headers: { "Accept-Encoding": "br" } });
  expect(page.status()).toBe(200);
  expect(page.headers()["content-encoding"]).toBe("br");
  const html = await page.text();
  const names = (ext: string) => [...html.matchAll(new RegExp(`/pkg/gatehouse\\.([A-Za-z0-9_-]{8,})\\.${ext}`, "g"))].map((m) => m[0]);
  const [js, wasm, css] = [names("js")[0], names("wasm")[0], names("css")[0]];
  expect(js, "the script's name carries its hash").toBeTruthy();
  expect(wasm, "the WebAssembly's name carries its hash").toBeTruthy();
  expect(css, "the stylesheet's name carries its hash").toBeTruthy();

  const plain = await api.get(wasm, { headers: { "Accept-Encoding": "identity" } });
  expect(plain.status()).toBe(200);
  expect(plain.headers()["content-encoding"]).toBeUndefined();
  expect(plain.headers()["content-type"]).toBe("application/wasm");
  const raw = (await plain.body()).length;
  for (const [accepts, encoding] of [["br", "br"], ["gzip", "gzip"], ["gzip, deflate, br", "br"]]) {
    for (const file of [wasm, js, css]) {
      const r = await api.get(file, { headers: { "Accept-Encoding": accepts } });
      expect(r.status(), file).toBe(200);
      expect(r.headers()["content-encoding"], `${file} for ${accepts}`).toBe(encoding);
      expect(r.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
    }
  }
  const br = await api.get(wasm, { headers: { "Accept-Encoding": "br" } });
  expect(Number(br.headers()["content-length"])).toBeLessThan(raw / 2);
  // A name that is not one of the build's is not kept.
  const missing = await api.get("/pkg/gatehouse.nothere.js");
  expect(missing.status()).toBe(404);
  expect(missing.headers()["cache-control"] ?? "").not.toContain("immutable");

  // API answers are compressed on the way out.
  const admin = { name: "Dee Livery", email: "dee@delivery.example.com", password: "correct horse battery" };
  const org = newOrganization("Delivery Check", admin);
  const members = await api.get("/api/v1/members?limit=50", {
    headers: { Authorization: `Bearer ${orgToken(org, "admin")}`, "Accept-Encoding": "gzip" },
  });
  expect(members.status()).toBe(200);
  expect(members.headers()["content-encoding"]).toBe("gzip");
  expect((await members.json()).items.length).toBe(1);
  await api.dispose();
});
