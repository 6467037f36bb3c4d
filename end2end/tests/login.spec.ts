import { test, expect } from "@playwright/test";
import { ADMIN_PASSWORD } from "../playwright.config";
import { unique, waitForHydration } from "./helpers";

test("log in, see the dashboard with the username, log out, land on login", async ({ page }) => {
  await page.goto("/");
  // Not logged in: the server sends us to the login page.
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { name: /CloudShell/ })).toBeVisible();
  await waitForHydration(page);

  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();

  await expect(page).toHaveURL(/\/$/);
  await waitForHydration(page);
  const header = page.locator("header.app-header");
  await expect(header.getByText("admin", { exact: true })).toBeVisible();
  const badge = page.getByTestId("session-badge");
  await expect(badge).toHaveText(/\d+:\d\d:\d\d/);
  await expect(badge).toHaveClass(/badge-ok/);

  // The countdown is live: it changes without a reload.
  const first = await badge.textContent();
  await expect(badge).not.toHaveText(first ?? "", { timeout: 5_000 });

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);

  // The session is gone server-side: the dashboard sends us back to login.
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
});

test("wrong password shows a clear error and stays on login", async ({ page }) => {
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill("definitely-wrong-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Invalid username or password.");
  await expect(page).toHaveURL(/\/login$/);
});

test("too many wrong passwords: the login page counts the wait down and disables Sign in", async ({ browser }) => {
  // A client of its own (through the trusted-proxy header), so no other test is blocked.
  const client = `198.51.100.${1 + Math.floor(Math.random() * 250)}`;
  const context = await browser.newContext({ extraHTTPHeaders: { "X-Forwarded-For": client } });
  const page = await context.newPage();
  await page.goto("/login");
  await waitForHydration(page);
  const user = unique("e2e-locked");
  const signIn = page.getByRole("button", { name: "Sign in" });
  for (let i = 0; i < 5; i++) {
    await page.getByLabel("Username").fill(user);
    await page.getByLabel("Password").fill(`wrong-password-${i}`);
    await signIn.click();
    await expect(page.getByRole("alert")).toHaveText("Invalid username or password.");
  }
  await page.getByLabel("Password").fill("wrong-password-again");
  await signIn.click();
  const alert = page.getByRole("alert");
  await expect(alert).toHaveText(/^Too many attempts\. Try again in [01]:\d\d\.$/);
  await expect(signIn).toBeDisabled();
  // It counts down without another request.
  const first = await alert.textContent();
  await expect(alert).not.toHaveText(first ?? "", { timeout: 5_000 });
  await expect(alert).toHaveText(/^Too many attempts\. Try again in [01]:\d\d\.$/);
  await context.close();
});
