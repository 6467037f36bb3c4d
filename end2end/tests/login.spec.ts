import { test, expect } from "@playwright/test";
import { ADMIN_PASSWORD } from "../playwright.config";
import { waitForHydration } from "./helpers";

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
