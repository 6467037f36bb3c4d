import { test, expect } from "@playwright/test";
import { addShellDevice, loginAsAdmin, sameOrigin } from "./helpers";

test("terminal settings: live preview on open terminals, Cancel puts back, Save persists after a reload and in a second browser", async ({ page, browser }) => {
  await loginAsAdmin(page);
  const device = await addShellDevice(page, "look");
  await page.getByRole("button", { name: `Open a terminal to ${device}`, exact: true }).click();
  await expect(page.getByRole("tab").filter({ hasText: device })).toContainText("Connected");
  const rows = page.locator(".pane:not(.hidden) .xterm-rows");
  const viewport = page.locator(".pane:not(.hidden) .xterm-scrollable-element");
  await expect(rows).toHaveCSS("font-size", "14px");

  // Every change shows at once; Cancel puts back what was there.
  await page.getByRole("button", { name: "Terminal settings" }).click();
  const dialog = page.getByRole("dialog", { name: "Terminal settings" });
  await dialog.getByLabel("Font size").fill("18");
  await expect(rows).toHaveCSS("font-size", "18px");
  await dialog.getByLabel("Theme").selectOption("Light");
  await expect(dialog.getByTestId("terminal-preview")).toHaveCSS("background-color", "rgb(250, 250, 250)");
  await expect(viewport).toHaveCSS("background-color", "rgb(250, 250, 250)");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(rows).toHaveCSS("font-size", "14px");
  await expect(viewport).toHaveCSS("background-color", "rgb(11, 15, 20)");

  // An absurd size is refused in place.
  await page.getByRole("button", { name: "Terminal settings" }).click();
  await dialog.getByLabel("Font size").fill("99");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByRole("alert")).toContainText("Font size must be 8–32");

  await dialog.getByLabel("Font size").fill("18");
  await dialog.getByLabel("Theme").selectOption("Dracula");
  await dialog.getByLabel("Scrollback lines").fill("5000");
  await dialog.getByLabel("Cursor", { exact: true }).selectOption("bar");
  await dialog.getByRole("checkbox", { name: "Copy on select" }).check();
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(viewport).toHaveCSS("background-color", "rgb(40, 42, 54)");

  // After a reload, and in another browser, the same settings.
  for (const p of [page, await (await browser.newContext()).newPage()]) {
    if (p === page) {
      await p.reload();
    } else {
      await loginAsAdmin(p);
    }
    await p.getByRole("button", { name: "Terminal settings" }).click();
    const d = p.getByRole("dialog", { name: "Terminal settings" });
    await expect(d.getByLabel("Font size")).toHaveValue("18");
    await expect(d.getByLabel("Theme")).toHaveValue("Dracula");
    await expect(d.getByLabel("Scrollback lines")).toHaveValue("5000");
    await expect(d.getByLabel("Cursor", { exact: true })).toHaveValue("bar");
    await expect(d.getByRole("checkbox", { name: "Copy on select" })).toBeChecked();
    await d.getByRole("button", { name: "Cancel" }).click();
  }

  // Back to the defaults for the specs that follow.
  const reset = await page.request.post("/api/settings/terminal/save", {
    headers: sameOrigin,
    data: { settings: { font_size: 14, font_family: "system", scrollback: 10000, cursor_style: "block", cursor_blink: true, theme: "dark", copy_on_select: false, bell: "visual" } },
  });
  expect(reset.ok()).toBeTruthy();
});
