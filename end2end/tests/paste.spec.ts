import { test, expect } from "@playwright/test";
import { createHash, randomBytes } from "node:crypto";
import { addShellDevice, loginAsAdmin } from "./helpers";

test("terminal: a 1 MiB paste reaches the shell byte-exact", async ({ page }) => {
  test.setTimeout(120_000);
  await loginAsAdmin(page);
  const shell = await addShellDevice(page, "e2e-paste");
  await page.getByRole("button", { name: `Open a terminal to ${shell}` }).click();
  const tab = page.getByRole("tab").filter({ hasText: shell });
  await expect(tab).toContainText("Connected");
  const terminal = page.locator(".pane:not(.hidden) .xterm");
  await terminal.click();

  // Raw mode, so the TTY takes a line longer than 4 KiB; head reads exactly the paste.
  const size = 1024 * 1024;
  const text = randomBytes(size).toString("base64").slice(0, size);
  const md5 = createHash("md5").update(text).digest("hex");
  await page.keyboard.type("stty raw -echo; echo raw-$((40+2)); head -c 1048576 | md5sum; stty sane\n");
  // The paste must land after raw mode is on: a canonical TTY would cut it at 4 KiB.
  await expect(page.locator(".pane:not(.hidden) .xterm-rows")).toContainText("raw-42");
  // A paste through the clipboard: xterm.js hands it to the tab as one string.
  await page.locator(".pane:not(.hidden) .xterm textarea").evaluate((area, pasted) => {
    const data = new DataTransfer();
    data.setData("text/plain", pasted);
    area.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
  await expect(page.locator(".pane:not(.hidden) .xterm-rows")).toContainText(md5, { timeout: 60_000 });
  // Still connected: the paste went in frames the server accepts.
  await expect(tab).toContainText("Connected");
});
