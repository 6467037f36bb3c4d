import { test, expect } from "@playwright/test";
import { spawn, ChildProcess } from "node:child_process";
import { readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitForHydration } from "./helpers";

// A server of its own, started the way a new install starts: no ADMIN_PASSWORD.
const PORT = 3181;
const BASE = `http://127.0.0.1:${PORT}`;
let server: ChildProcess;
let dataDir: string;

test.beforeAll(async () => {
  dataDir = join(mkdtempSync(join(tmpdir(), "cloudshell-e2e-first-")), "data");
  const env: NodeJS.ProcessEnv = { ...process.env, E2E_PORT: String(PORT), E2E_DATA_DIR: dataDir };
  delete env.ADMIN_PASSWORD;
  server = spawn("bash", ["./start-server.sh"], { env, stdio: "ignore" });
  await expect.poll(async () => {
    try {
      return (await fetch(`${BASE}/api/health`)).status;
    } catch {
      return 0;
    }
  }, { timeout: 30_000 }).toBe(200);
});

test.afterAll(() => {
  server?.kill("SIGTERM");
});

test("first sign-in with the generated password must choose a new one before anything else", async ({ page }) => {
  const generated = readFileSync(join(dataDir, "initial-admin-password"), "utf8");
  await page.goto(`${BASE}/login`);
  await waitForHydration(page);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(generated);
  await page.getByRole("button", { name: "Sign in" }).click();

  const form = page.getByRole("dialog", { name: "Choose your password" });
  await expect(form).toBeVisible();
  await waitForHydration(page);
  // Nothing else is offered: no device list, no terminals, no audit log.
  await expect(page.getByRole("complementary", { name: "Devices" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Audit log" })).toHaveCount(0);

  await form.getByLabel("Current password").fill(generated);
  await form.getByLabel("New password (at least 12 characters)").fill("first-own-password-1");
  await form.getByLabel("New password again").fill("first-own-password-1");
  await form.getByRole("button", { name: "Change password" }).click();

  await expect(page.getByRole("complementary", { name: "Devices" })).toBeVisible({ timeout: 15_000 });
  await expect(form).toHaveCount(0);
});
