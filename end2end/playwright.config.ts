import { defineConfig } from "@playwright/test";

// Debian's Chromium, launched without anything that reaches the network.
const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const server = (name: string, port: number) => ({
  command: `./run-server.sh ${name} ${port}`,
  url: `http://127.0.0.1:${port}/healthz`,
  reuseExistingServer: false,
  timeout: 60_000,
  stdout: "ignore" as const,
  stderr: "pipe" as const,
});

export default defineConfig({
  testDir: "./tests",
  // Every spec makes the organizations and people it needs, so any file runs alone. One worker:
  // two cores serve the server and the browser.
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  forbidOnly: !!process.env.CI,
  use: {
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: chromiumArgs,
    },
    trace: "retain-on-failure",
  },
  projects: [
    // An installation's first run needs an empty database: a server of its own.
    { name: "first-run", testMatch: /01-foundation/, use: { baseURL: "http://127.0.0.1:3102" } },
    { name: "console", testIgnore: /01-foundation/, use: { baseURL: "http://127.0.0.1:3100" } },
  ],
  webServer: [server("main", 3100), server("first_run", 3102)],
});
