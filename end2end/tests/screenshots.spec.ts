import { test, expect } from "@playwright/test";
import { ADMIN_PASSWORD } from "../playwright.config";
import { waitForHydration } from "./helpers";

// Refreshes the README's pictures from the real app: `SCREENSHOTS=1 npx playwright test screenshots`.
test.skip(!process.env.SCREENSHOTS, "set SCREENSHOTS=1 to refresh docs/images");

test("audit log modal screenshot", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("Username").fill("nobody");
  await page.getByLabel("Password").fill("wrong-password-1");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
  await waitForHydration(page);
  await page.getByRole("button", { name: "Audit log" }).click();
  const dialog = page.getByRole("dialog", { name: "Audit log" });
  await expect(dialog.getByText("Chain intact")).toBeVisible();
  await page.screenshot({ path: "../docs/images/audit-log.png" });
});
