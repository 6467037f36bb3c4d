import { test, expect } from "@playwright/test";
import { SSHD_PORT, SSH_USER } from "../playwright.config";
import { addShellDevice, loginAsAdmin } from "./helpers";

test("terminal: open a device tab, run a command, close the tab, see the session end in the audit log", async ({ page }) => {
  await loginAsAdmin(page);
  const shell = await addShellDevice(page, "e2e-shell");

  await page.getByRole("button", { name: `Open a terminal to ${shell}` }).click();
  const tab = page.getByRole("tab").filter({ hasText: shell });
  await expect(tab).toContainText(`${SSH_USER}@127.0.0.1:${SSHD_PORT}`);
  await expect(tab).toContainText("Connected");

  const terminal = page.locator(".pane:not(.hidden) .xterm");
  await expect(terminal).toBeVisible();
  await terminal.click();
  await page.keyboard.type("echo hello-$((6*7))\n");
  await expect(page.locator(".pane:not(.hidden) .xterm-rows")).toContainText("hello-42");

  await tab.getByRole("button", { name: `Close ${shell}` }).click();
  await expect(tab).toHaveCount(0);

  // The audit modal shows the end within a few seconds, without a reload.
  await page.getByRole("button", { name: "Audit log" }).click();
  const dialog = page.getByRole("dialog", { name: "Audit log" });
  await expect(dialog.locator("td").filter({ hasText: "Session ended" }).first()).toBeVisible({ timeout: 15_000 });
  await expect(dialog.getByText(new RegExp(`Ended session with ${shell} \\(127\\.0\\.0\\.1:\\d+\\): tab closed`))).toBeVisible();
});
