import { test, expect, Page } from "@playwright/test";
import { addShellDevice, loginAsAdmin } from "./helpers";

async function sessions(page: Page, action: string, device: string): Promise<number> {
  const res = await page.request.get(
    `/api/audit?filter[actions][0]=${action}&filter[text]=${encodeURIComponent(device)}&limit=500`,
  );
  expect(res.ok()).toBeTruthy();
  return (await res.json()).total;
}

test("reconnect: an unexpected drop reconnects as a new audited session; exit does not", async ({ page }) => {
  await loginAsAdmin(page);
  const device = await addShellDevice(page, "redial");
  await page.getByRole("button", { name: `Open a terminal to ${device}`, exact: true }).click();
  const tab = page.getByRole("tab").filter({ hasText: device });
  await expect(tab).toContainText("Connected");
  const rows = page.locator(".pane:not(.hidden) .xterm-rows");
  await page.locator(".pane:not(.hidden) .xterm").click();

  // The SSH connection dies under the shell (its sshd process is killed).
  await page.keyboard.type("kill -9 $PPID\n");
  await expect(rows).toContainText("Reconnecting in 1 s (attempt 1 of 3)");
  await expect.poll(() => sessions(page, "SESSION_STARTED", device), { timeout: 20_000 }).toBe(2);
  await expect(tab).toContainText("Connected");
  await page.locator(".pane:not(.hidden) .xterm").click();
  await page.keyboard.type("echo back-$((4*4))\n");
  await expect(rows).toContainText("back-16");

  // `exit` ends it for good: no reconnect, no third session.
  await page.keyboard.type("exit\n");
  await expect(rows).toContainText("exited with status 0");
  await expect.poll(() => sessions(page, "SESSION_ENDED", device), { timeout: 20_000 }).toBe(2);
  await expect(tab).toContainText("Disconnected");
  await expect(rows).not.toContainText("Reconnecting");
  expect(await sessions(page, "SESSION_STARTED", device)).toBe(2);
});
