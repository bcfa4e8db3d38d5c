import base from "./playwright.config";
import { defineConfig } from "@playwright/test";

// The benchmarks in bench/: one server of the release build, figures printed (scripts/bench size).
export default defineConfig({
  ...base,
  testDir: "./bench",
  timeout: 120_000,
  projects: [{ name: "bench", use: { baseURL: "http://127.0.0.1:3100" } }],
  webServer: [base.webServer instanceof Array ? base.webServer[0] : base.webServer!],
});
