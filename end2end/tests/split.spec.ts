import { test, expect, Page } from "@playwright/test";
import { addShellDevice, loginAsAdmin, sameOrigin } from "./helpers";

/** Leaves one empty pane saved, so the specs that follow start from a plain workspace. */
async function resetLayout(page: Page) {
  const res = await page.request.post("/api/workspace/save", {
    headers: sameOrigin,
    data: { layout: { rows: 1, cols: 1, row_sizes: [1], col_sizes: [1], seats: [null] } },
  });
  expect(res.ok()).toBeTruthy();
}

/** How many `action` entries the audit log holds that mention `text`. */
async function count(page: Page, action: string, text: string): Promise<number> {
  const res = await page.request.get(
    `/api/audit?filter[actions][0]=${action}&filter[text]=${encodeURIComponent(text)}&limit=500`,
  );
  expect(res.ok()).toBeTruthy();
  return (await res.json()).total;
}

/** How many SESSION_STARTED entries the audit log holds for `device`. */
async function sessionsStarted(page: Page, device: string): Promise<number> {
  const res = await page.request.get(
    `/api/audit?filter[actions][0]=SESSION_STARTED&filter[text]=${encodeURIComponent(device)}&limit=500`,
  );
  expect(res.ok()).toBeTruthy();
  return (await res.json()).total;
}

/** Types a command into the terminal in pane `at` and waits for its answer there. */
async function answers(page: Page, at: number, n: number) {
  const pane = page.locator(`.pane[data-pane="${at}"]:not(.empty-pane)`);
  // Typing only once this terminal has the keyboard (a pane just refilled may still be
  // taking its size when first clicked); the echo, once typed, must show in this pane.
  await expect(async () => {
    await pane.locator(".xterm").click();
    await expect(pane.locator("textarea.xterm-helper-textarea")).toBeFocused({ timeout: 1_000 });
  }).toPass({ timeout: 10_000 });
  await page.keyboard.type(`echo pane-$((${n}*11))\n`);
  await expect(pane.locator(".xterm-rows")).toContainText(`pane-${n * 11}`);
}

test("split view: four live terminals in 2×2, 1×2 without reconnecting, 4×4 at most, drag a tab, close refills, the layout comes back", async ({ page }) => {
  await loginAsAdmin(page);
  const device = await addShellDevice(page, "split");
  await page.getByRole("button", { name: "Layout 2×2" }).click();
  await expect(page.locator(".empty-pane")).toHaveCount(4);

  // Each new terminal fills the first empty pane.
  const open = page.getByRole("button", { name: `New session to ${device}` });
  for (let i = 0; i < 4; i++) await open.click();
  await expect(page.locator(".empty-pane")).toHaveCount(0);
  await expect(page.getByRole("tab").filter({ hasText: "Connected" })).toHaveCount(4, { timeout: 20_000 });
  for (let at = 0; at < 4; at++) await answers(page, at, at + 1);
  const started = await sessionsStarted(page, device);
  expect(started).toBe(4);

  // Alt+Shift+arrows move the focus between panes; the focused one is outlined.
  await page.locator('.pane[data-pane="0"] .xterm').click();
  await page.keyboard.press("Alt+Shift+ArrowRight");
  await expect(page.locator(".pane.focused")).toHaveAttribute("data-pane", "1");
  await page.keyboard.press("Alt+Shift+ArrowDown");
  await expect(page.locator(".pane.focused")).toHaveAttribute("data-pane", "3");

  // 1×2: two panes stay, nothing reconnects, and a moved terminal still answers.
  await page.getByRole("button", { name: "Layout 1×2" }).click();
  await expect(page.locator(".pane:not(.hidden)")).toHaveCount(2);
  await answers(page, 1, 7);
  expect(await sessionsStarted(page, device)).toBe(started);

  // Put the fourth terminal (off screen now) into pane 1 from the pane's menu: its scrollback came along.
  const menu = page.getByRole("combobox", { name: "Pane 2 shows" });
  const options = await menu.locator("option").allTextContents();
  expect(options).toHaveLength(4);
  await menu.selectOption({ index: 3 });
  await expect(page.locator('.pane[data-pane="1"] .xterm-rows')).toContainText("pane-44");
  await answers(page, 1, 9);
  expect(await sessionsStarted(page, device)).toBe(started);

  // A 4×4 grid has 16 panes; a fifth row is refused.
  await page.getByRole("spinbutton", { name: "Rows" }).fill("4");
  await page.getByRole("spinbutton", { name: "Columns" }).fill("4");
  await page.getByRole("button", { name: "Apply grid" }).click();
  await expect(page.locator(".pane:not(.hidden)")).toHaveCount(16);
  await page.getByRole("spinbutton", { name: "Rows" }).fill("5");
  await page.getByRole("button", { name: "Apply grid" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "At most 4 rows and 4 columns." })).toBeVisible();
  await expect(page.locator(".pane:not(.hidden)")).toHaveCount(16);

  // Drag a tab that is off screen from the strip onto an empty pane (2×2 now shows the
  // first and fourth terminals in panes 1 and 2).
  await page.getByRole("button", { name: "Layout 2×2" }).click();
  await page.getByRole("button", { name: "Layout 1×2" }).click();
  await page.getByRole("button", { name: "Layout 2×2" }).click();
  const empty = page.locator('.empty-pane[data-pane="3"]');
  await expect(empty).toBeVisible();
  const tabs = page.getByRole("tab");
  await tabs.nth(2).scrollIntoViewIfNeeded();
  const from = (await tabs.nth(2).locator(".tab-name").boundingBox())!;
  const to = (await empty.boundingBox())!;
  await page.mouse.move(from.x + 5, from.y + 5);
  await page.mouse.down();
  // A first move starts the drag (and shows the drop targets), the second reaches the pane.
  await page.mouse.move(from.x + 40, from.y + 60, { steps: 5 });
  await expect(page.locator(".drop-target")).toHaveCount(4);
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect(page.locator(".empty-pane")).toHaveCount(1);
  await expect(page.locator('.pane[data-pane="3"]:not(.empty-pane)')).toHaveCount(1);
  await answers(page, 3, 5);

  // Closing a tab refills its pane with the next tab not on screen.
  await expect(page.locator('.empty-pane[data-pane="2"]')).toBeVisible();
  await tabs.nth(0).getByRole("button", { name: `Close ${device}` }).click();
  await expect(tabs).toHaveCount(3);
  await expect(page.locator('.pane[data-pane="0"]:not(.empty-pane)')).toHaveCount(1);
  await answers(page, 0, 3);
  await expect(page.locator(".empty-pane")).toHaveCount(1);
  expect(await sessionsStarted(page, device)).toBe(started);

  // After a reload the layout is back with empty panes, and the bar reopens the sessions.
  await page.reload();
  await expect(page.locator(".empty-pane")).toHaveCount(4, { timeout: 20_000 });
  await page.getByRole("button", { name: "Reopen 3 sessions" }).click();
  await expect(page.getByRole("tab").filter({ hasText: "Connected" })).toHaveCount(3, { timeout: 20_000 });
  await expect(page.locator(".empty-pane")).toHaveCount(1);
  expect(await sessionsStarted(page, device)).toBe(started + 3);
  await resetLayout(page);
});

test("split view: the layout follows the user to a second browser", async ({ page, browser }) => {
  await loginAsAdmin(page);
  await page.getByRole("button", { name: "Layout 2×1" }).click();
  await expect(page.locator(".empty-pane")).toHaveCount(2);
  // Dragging the splitter moves the boundary; it is saved when released.
  const splitter = page.getByRole("separator", { name: "Row splitter 1" });
  const box = (await splitter.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 - 80, { steps: 5 });
  await page.mouse.up();
  const first = await page.locator('.empty-pane[data-pane="0"]').boundingBox();
  const second = await page.locator('.empty-pane[data-pane="1"]').boundingBox();
  expect(first!.height).toBeLessThan(second!.height);

  const other = await browser.newContext();
  const elsewhere = await other.newPage();
  await loginAsAdmin(elsewhere);
  await expect(elsewhere.locator(".empty-pane")).toHaveCount(2, { timeout: 20_000 });
  const a = await elsewhere.locator('.empty-pane[data-pane="0"]').boundingBox();
  const b = await elsewhere.locator('.empty-pane[data-pane="1"]').boundingBox();
  expect(a!.height).toBeLessThan(b!.height);
  await other.close();
  await resetLayout(page);
});

test("broadcast input: one command reaches three panes, an excluded pane stays out, both changes are audited", async ({ page }) => {
  await loginAsAdmin(page);
  const device = await addShellDevice(page, "cast");
  await page.getByRole("button", { name: "Layout 2×2" }).click();
  const open = page.getByRole("button", { name: `New session to ${device}` });
  for (let i = 0; i < 4; i++) await open.click();
  await expect(page.getByRole("tab").filter({ hasText: "Connected" })).toHaveCount(4, { timeout: 20_000 });

  await page.getByRole("button", { name: "Broadcast input" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Broadcast input is on" })).toContainText("4 terminals");
  await expect(page.locator(".pane.broadcasting")).toHaveCount(4);
  // Leave the fourth pane out.
  await page.getByRole("checkbox", { name: "Pane 4 receives broadcast" }).uncheck();
  await expect(page.locator(".pane.broadcasting")).toHaveCount(3);
  await expect(page.getByRole("alert").filter({ hasText: "Broadcast input is on" })).toContainText("3 terminals");

  await page.locator('.pane[data-pane="0"] .xterm').click();
  await page.keyboard.type("echo cast-$((6*7))\n");
  for (const at of [0, 1, 2]) {
    await expect(page.locator(`.pane[data-pane="${at}"] .xterm-rows`)).toContainText("cast-42");
  }
  await expect(page.locator('.pane[data-pane="3"] .xterm-rows')).not.toContainText("cast-");

  await page.getByRole("button", { name: "Turn broadcast off" }).click();
  await expect(page.locator(".pane.broadcasting")).toHaveCount(0);
  await page.locator('.pane[data-pane="1"] .xterm').click();
  await page.keyboard.type("echo solo-$((2*3))\n");
  await expect(page.locator('.pane[data-pane="1"] .xterm-rows')).toContainText("solo-6");
  await expect(page.locator('.pane[data-pane="0"] .xterm-rows')).not.toContainText("solo-");

  await page.getByRole("button", { name: "Audit log" }).click();
  const audit = page.getByRole("dialog", { name: "Audit log" });
  await expect(audit.locator("tbody tr", { hasText: `Started broadcasting input to 4 terminals: ${device} (` })).toHaveCount(1, { timeout: 15_000 });
  await expect(audit.locator("tbody tr", { hasText: `Stopped broadcasting input to 4 terminals: ${device} (` })).toHaveCount(1);
  await page.keyboard.press("Escape");

  // A terminal that would join while it is on turns it off (it was not recorded for it).
  // The fourth pane stays left out until the user ticks it again.
  await page.getByRole("button", { name: "Broadcast input" }).click();
  await expect(page.locator(".pane.broadcasting")).toHaveCount(3);
  await page.getByRole("button", { name: `New session to ${device}` }).click();
  await expect(page.getByText("Broadcast input is off: the terminals on screen changed.")).toBeVisible({ timeout: 20_000 });
  await expect(page.locator(".pane.broadcasting")).toHaveCount(0);
  await expect.poll(() => count(page, "BROADCAST_STOPPED", device)).toBe(2);

  // Leaving the page with it on records the stop too. (The new tab took the focused pane;
  // the fourth pane is still left out.)
  await page.getByRole("button", { name: "Broadcast input" }).click();
  await expect(page.locator(".pane.broadcasting")).toHaveCount(3);
  await page.reload();
  await expect.poll(() => count(page, "BROADCAST_STOPPED", device), { timeout: 15_000 }).toBe(3);
  expect(await count(page, "BROADCAST_STARTED", device)).toBe(3);
  await resetLayout(page);
});
