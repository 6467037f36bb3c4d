import { test, expect, Page } from "@playwright/test";
import { PORT } from "../playwright.config";
import { addShellDevice, loginAsAdmin, sameOrigin } from "./helpers";

async function openTerminal(page: Page, prefix: string) {
  await loginAsAdmin(page);
  const device = await addShellDevice(page, prefix);
  await page.getByRole("button", { name: `Open a terminal to ${device}`, exact: true }).click();
  await expect(page.getByRole("tab").filter({ hasText: device })).toContainText("Connected");
  // The prompt is there: the shell reads what is typed from now on.
  await expect(page.locator(".pane:not(.hidden) .xterm-rows")).toContainText("$");
  return page.locator(".pane:not(.hidden) .xterm-rows");
}

test("search finds a word scrolled out of sight, steps through matches, and Esc gives the keyboard back", async ({ page }) => {
  const rows = await openTerminal(page, "search");
  // The needle is printed first, then pushed out of sight by 200 lines.
  await page.keyboard.type("echo needle-$((7*100)); seq -f line-%g 1 200\n");
  await expect(rows).toContainText("line-200");
  await expect(rows).not.toContainText("needle-700");

  await page.keyboard.press("Control+Shift+F");
  const bar = page.getByRole("search");
  const box = bar.getByRole("searchbox", { name: "Search the scrollback" });
  await expect(box).toBeFocused();
  await page.keyboard.type("needle-700");
  await expect(bar).toContainText("1 of 1");
  // The terminal scrolled back to the match.
  await expect(rows).toContainText("needle-700");

  // line-2, line-20…29 and line-200 in the output: 12 matches.
  await box.fill("line-2");
  await expect(bar.locator(".search-count")).toHaveText(/^\d+ of 12$/);
  const first = await bar.locator(".search-count").textContent();
  await page.keyboard.press("Enter");
  await expect(bar.locator(".search-count")).not.toHaveText(first!);
  await page.keyboard.press("Shift+Enter");
  await expect(bar.locator(".search-count")).toHaveText(first!);
  await bar.getByRole("button", { name: "Next match" }).click();
  await expect(bar.locator(".search-count")).not.toHaveText(first!);

  await box.fill("LINE-2");
  await expect(bar.locator(".search-count")).toHaveText(/of 12$/);
  await bar.getByRole("checkbox").check();
  await expect(bar.locator(".search-count")).toHaveText("No results");

  // Esc closes the bar; what is typed next goes to the shell again.
  await box.press("Escape");
  await expect(bar).toHaveCount(0);
  await page.keyboard.type("echo back-$((40+2))\n");
  await expect(rows).toContainText("back-42");
});

test("a URL in the output opens in a new tab without a handle back to CloudShell", async ({ page, context }) => {
  const rows = await openTerminal(page, "links");
  const url = `http://127.0.0.1:${PORT}/api/health?from=terminal`;
  await page.keyboard.type(`clear; echo ${url}\n`);
  const line = rows.locator(":scope > div").filter({ hasText: /^http:/ });
  await expect(line).toHaveCount(1);
  const box = (await line.boundingBox())!;
  // Hovering a link underlines it; a click opens it.
  await page.mouse.move(box.x + 30, box.y + box.height / 2);
  await page.mouse.move(box.x + 40, box.y + box.height / 2);
  const opened = context.waitForEvent("page");
  await page.mouse.click(box.x + 40, box.y + box.height / 2);
  const tab = await opened;
  await tab.waitForLoadState();
  expect(tab.url()).toBe(url);
  expect(await tab.evaluate(() => window.opener)).toBeNull();
  await tab.close();
});

test("a shipped font is served by CloudShell itself and used by the terminal", async ({ page }) => {
  const elsewhere: string[] = [];
  page.on("request", (r) => {
    if (!r.url().startsWith(`http://127.0.0.1:${PORT}/`) && !r.url().startsWith("ws://127.0.0.1")) elsewhere.push(r.url());
  });
  const rows = await openTerminal(page, "font");
  const font = page.waitForResponse((r) => r.url().endsWith("/fonts/jetbrains-mono-latin-400-normal.woff2"));
  await page.getByRole("button", { name: "Terminal settings" }).click();
  const dialog = page.getByRole("dialog", { name: "Terminal settings" });
  await dialog.getByLabel("Font", { exact: true }).selectOption("JetBrains Mono");
  expect((await font).status()).toBe(200);
  await expect(dialog.getByTestId("terminal-preview")).toHaveCSS("font-family", /JetBrains Mono/);
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(rows).toHaveCSS("font-family", /JetBrains Mono/);
  await page.locator(".pane:not(.hidden) .terminal-host").click();
  expect(await page.evaluate(() => document.fonts.check('16px "JetBrains Mono"'))).toBe(true);
  // The terminal still fits and answers in the new font.
  await page.keyboard.type("echo font-$((3*3))\n");
  await expect(rows).toContainText("font-9");
  expect(elsewhere).toEqual([]);

  const reset = await page.request.post("/api/settings/terminal/save", {
    headers: sameOrigin,
    data: { settings: { font_size: 14, font_family: "system", scrollback: 10000, cursor_style: "block", cursor_blink: true, theme: "dark", copy_on_select: false, bell: "visual" } },
  });
  expect(reset.ok()).toBeTruthy();
});
