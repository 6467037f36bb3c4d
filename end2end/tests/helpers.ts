import { Page, expect } from "@playwright/test";
import { ADMIN_PASSWORD, PORT, SSHD_PORT, SSH_PASSWORD, SSH_USER } from "../playwright.config";

/** What the page's own requests carry: the server refuses state changes without it. */
export const sameOrigin = { Origin: `http://127.0.0.1:${PORT}` };

/** Waits until the WASM app has hydrated the server-rendered page. */
export async function waitForHydration(page: Page) {
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 30_000 });
}

/** Logs in as admin through the login form and waits for the hydrated dashboard. */
export async function loginAsAdmin(page: Page, password = ADMIN_PASSWORD) {
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
  await waitForHydration(page);
}

/** A name no earlier run against the same server has used (`--repeat-each` reuses it). */
export function unique(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Adds a password device for the test sshd and reloads into the hydrated dashboard; its name. */
export async function addShellDevice(page: Page, prefix: string): Promise<string> {
  const shell = unique(prefix);
  const created = await page.request.post("/api/devices/create", {
    headers: sameOrigin,
    data: {
      input: {
        name: shell, host: "127.0.0.1", port: SSHD_PORT, username: SSH_USER,
        auth_type: "password", password: SSH_PASSWORD,
      },
    },
  });
  expect(created.ok()).toBeTruthy();
  await page.reload();
  await waitForHydration(page);
  return shell;
}
