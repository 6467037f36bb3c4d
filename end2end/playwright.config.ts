import { defineConfig } from "@playwright/test";
import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

// The server under test: the debug binary built by `cargo leptos build`, on its own port with a
// fresh DATA_DIR, so a developer's running instance and data are never touched.
export const PORT = Number(process.env.E2E_PORT ?? 3180);
export const ADMIN_PASSWORD = "e2e-admin-password";
// The sshd the terminal tests log into (end2end/start-sshd.sh), and its test account.
export const SSHD_PORT = Number(process.env.E2E_SSHD_PORT ?? 3122);
export const SSH_USER = "cloudshell-sshtest";
// A random password for this run only, written 0600 by `scripts/test-env.sh up` (make test).
export const SSH_PASSWORD = readTestAccountPassword();

function readTestAccountPassword(): string {
  const dir = process.env.CLOUDSHELL_TEST_DIR ?? join(homedir(), ".cache", "cloudshell-test");
  const file = join(dir, "sshtest-password");
  try {
    if ((statSync(file).mode & 0o077) !== 0) throw new Error(`${file} must be 0600`);
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`${e}: run scripts/test-env.sh up first (make test does)`);
  }
}

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  webServer: [{
    command: "bash ./start-sshd.sh",
    port: SSHD_PORT,
    reuseExistingServer: false,
    timeout: 30_000,
    env: { E2E_SSHD_PORT: String(SSHD_PORT) },
  }, {
    command: "bash ./start-server.sh",
    url: `http://127.0.0.1:${PORT}/api/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      E2E_PORT: String(PORT),
      ADMIN_PASSWORD,
    },
  }],
});
