import { test, expect } from "@playwright/test";
import { SSH_USER } from "../playwright.config";
import { addShellDevice, loginAsAdmin } from "./helpers";

test("sidebar and tab strip: the filter matches name, host and user; a click focuses the open tab, Shift-click opens another; at 390 px every ✕ can be clicked", async ({ page }) => {
  await loginAsAdmin(page);
  const alpha = await addShellDevice(page, "alpha");
  const beta = await addShellDevice(page, "beta");
  const filter = page.getByLabel("Filter devices by name, host or user");
  const item = (name: string) => page.locator(`.device-item[data-device="${name}"]`);

  await filter.fill(beta);
  await expect(item(beta)).toBeVisible();
  await expect(item(alpha)).toHaveCount(0);
  await filter.fill(SSH_USER.toUpperCase());
  await expect(item(alpha)).toBeVisible();
  await expect(item(beta)).toBeVisible();
  await filter.fill("127.0.0");
  await expect(item(alpha)).toBeVisible();
  await filter.fill("no-such-device-anywhere");
  await expect(page.getByText("No device matches the filter.")).toBeVisible();
  await filter.fill("");

  // A click on a device with a terminal open shows that tab; Shift-click opens another.
  const open = page.getByRole("button", { name: `Open a terminal to ${alpha}`, exact: true });
  const tabs = page.getByRole("tab");
  await open.click();
  await expect(tabs).toHaveCount(1);
  await page.getByRole("button", { name: `Open a terminal to ${beta}`, exact: true }).click();
  await expect(tabs).toHaveCount(2);
  await open.click();
  await expect(tabs).toHaveCount(2);
  await expect(tabs.filter({ hasText: alpha })).toHaveAttribute("aria-selected", "true");
  await open.click({ modifiers: ["Shift"] });
  await expect(tabs).toHaveCount(3);
  await page.getByRole("button", { name: `New session to ${beta}` }).click();
  await expect(tabs).toHaveCount(4);
  await expect(tabs.filter({ hasText: "Connected" })).toHaveCount(4, { timeout: 20_000 });

  // Filtering a device out of the list leaves its tabs working.
  await filter.fill(beta);
  await expect(item(alpha)).toHaveCount(0);
  await tabs.filter({ hasText: alpha }).first().click();
  await page.locator(".pane:not(.hidden) .xterm").click();
  await page.keyboard.type("echo still-$((5*5))\n");
  await expect(page.locator(".pane:not(.hidden) .xterm-rows")).toContainText("still-25");
  await expect(page.locator("#crash-screen")).toHaveCount(0);
  await filter.fill("");

  // On a phone-width screen each tab's ✕ can still be reached and clicked, last to first.
  await page.setViewportSize({ width: 390, height: 800 });
  for (let left = 4; left > 0; left--) {
    await tabs.nth(left - 1).getByRole("button", { name: /^Close / }).click();
    await expect(tabs).toHaveCount(left - 1);
  }
  await expect(page.getByText("No terminal open")).toBeVisible();
});
