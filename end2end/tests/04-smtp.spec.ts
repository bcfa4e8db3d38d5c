import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { expect, request, test } from "@playwright/test";
import { SMTPServer } from "smtp-server";
import { binary } from "../support";

// Delivery by SMTP: a local receiver on a loopback port, and a Gatehouse of its own pointed at it.
test("an invitation is delivered by SMTP", async () => {
  const received: { from: string; to: string[]; data: string }[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      let data = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => (data += chunk));
      stream.on("end", () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          data,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  const dir = ".e2e/smtp";
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const env = {
    ...process.env,
    DATABASE_URL: `sqlite://${dir}/gatehouse.db`,
    GATEHOUSE_ADDR: "127.0.0.1:3101",
    GATEHOUSE_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    GATEHOUSE_MAIL_FROM: "Gatehouse <noreply@gatehouse.test>",
    GATEHOUSE_SITE_ROOT: "../target/site",
    GATEHOUSE_LOG: "warn",
    GATEHOUSE_ADMIN_PASSWORD: "correct horse battery",
  };
  execFileSync(binary, ["admin", "create", "--org", "Mail Test", "--email", "ops@example.com", "--name", "Olive Ops"], { env });
  let server: ChildProcess | undefined;
  try {
    server = spawn(binary, ["serve"], { env, stdio: "ignore" });
    const api = await request.newContext({
      baseURL: "http://127.0.0.1:3101",
      extraHTTPHeaders: { Origin: "http://127.0.0.1:3101" },
    });
    await expect.poll(async () => (await api.get("/healthz").catch(() => null))?.status(), { timeout: 20_000 }).toBe(200);
    const signedIn = await api.post("/api/signin", {
      form: { email: "ops@example.com", password: "correct horse battery" },
    });
    expect(signedIn.ok()).toBeTruthy();
    const invited = await api.post("/api/invite", {
      data: {
        org: "mail-test",
        invitation: { email: "smtp.person@example.com", bindings: [{ role: "viewer", project: null }], groups: [] },
      },
    });
    expect(invited.status(), await invited.text()).toBe(200);

    await expect.poll(() => received.length, { timeout: 20_000 }).toBe(1);
    const message = received[0];
    expect(message.from).toBe("noreply@gatehouse.test");
    expect(message.to).toEqual(["smtp.person@example.com"]);
    const body = message.data.replace(/=\r?\n/g, "");
    expect(body).toContain("Subject: Olive Ops invited you to Mail Test on Gatehouse");
    expect(body).toMatch(/http:\/\/127\.0\.0\.1:3101\/invite\/[A-Za-z0-9_-]{43}/);
    expect(body).toContain("multipart/alternative");
    expect(body).toContain("text/html");
    await api.dispose();
  } finally {
    server?.kill("SIGTERM");
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  }
});
