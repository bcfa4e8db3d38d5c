// What a first visit costs: the size of each console file (raw, gzip, brotli, as the release
// build wrote them) and what a browser with an empty cache transfers for the members page.
// A benchmark: it prints figures beside their targets and asserts only that it could measure.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { gatehouse, newOrganization, open, signIn } from "../support";

const KB = 1024;
const kb = (n: number) => `${(n / KB).toFixed(1)} KB`;
const size = (f: string) => (existsSync(f) ? statSync(f).size : NaN);

test("first visit of the members page", async ({ browser }) => {
  const pkg = "../target/site/pkg";
  const files = readdirSync(pkg).filter((f) => !f.endsWith(".br") && !f.endsWith(".gz"));
  const rows = files.map((f) => ({ f, raw: size(join(pkg, f)), gz: size(join(pkg, `${f}.gz`)), br: size(join(pkg, `${f}.br`)) }));
  console.log("\nconsole files (target/site/pkg)     raw        gzip       brotli");
  for (const r of rows) console.log(`  ${r.f.padEnd(32)} ${kb(r.raw).padStart(10)} ${kb(r.gz).padStart(10)} ${kb(r.br).padStart(10)}`);
  const wasm = rows.find((r) => r.f.endsWith(".wasm"));
  expect(wasm, "a release build with its .wasm").toBeTruthy();
  console.log(`  wasm brotli ${kb(wasm!.br)}   target ≤ 300 KB`);

  const admin = { name: "Sam Size", email: "sam@size.example.com", password: "correct horse battery" };
  const org = newOrganization(`Size probe ${Date.now()}`, admin);
  gatehouse(["dev", "seed", "--org", org.slug, "--members", "120"]);
  // Signed in once; the measured visit starts from an empty cache with that session.
  const setup = await browser.newContext();
  const first = await setup.newPage();
  await signIn(first, admin.email, admin.password);
  await expect(first).toHaveURL(/\/members$/);
  const session = await setup.storageState();
  await setup.close();

  const context = await browser.newContext({ storageState: session });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const urls = new Map<string, string>();
  const encodings = new Map<string, string>();
  const sizes: { url: string; bytes: number; encoding: string }[] = [];
  cdp.on("Network.responseReceived", (e) => {
    urls.set(e.requestId, e.response.url);
    const h = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    encodings.set(e.requestId, h["content-encoding"] ?? "-");
  });
  cdp.on("Network.loadingFinished", (e) =>
    sizes.push({ url: urls.get(e.requestId) ?? "?", bytes: e.encodedDataLength, encoding: encodings.get(e.requestId) ?? "-" }),
  );
  await open(page, `${org.path}/members`);
  await expect(page.getByTestId("member-row").first()).toBeVisible();
  await page.waitForLoadState("networkidle");
  const total = sizes.reduce((n, s) => n + s.bytes, 0);
  console.log("\nfirst visit of the members page (empty cache, signed in)   transferred   encoding");
  for (const s of sizes) console.log(`  ${new URL(s.url).pathname.slice(0, 48).padEnd(50)} ${kb(s.bytes).padStart(10)}   ${s.encoding}`);
  console.log(`  total ${kb(total)} in ${sizes.length} responses   target ≤ 400 KB`);
  await context.close();
});
