import { test, expect } from "@playwright/test";
import { SSHD_PORT, SSH_PASSWORD, SSH_USER } from "../playwright.config";
import { loginAsAdmin, unique, sameOrigin } from "./helpers";

test("terminal: open a device tab, run a command, close the tab, see the session end in the audit log", async ({ page }) => {
  const shell = unique("e2e-shell");
  await loginAsAdmin(page);
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
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 30_000 });

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
