import { test, expect, Page } from "@playwright/test";
import { SSHD_PORT, SSH_PASSWORD, SSH_USER } from "../playwright.config";
import { loginAsAdmin, unique, waitForHydration, sameOrigin } from "./helpers";

async function addShellDevice(page: Page, name: string) {
  const created = await page.request.post("/api/devices/create", {
    headers: sameOrigin,
    data: {
      input: {
        name, host: "127.0.0.1", port: SSHD_PORT, username: SSH_USER,
        auth_type: "password", password: SSH_PASSWORD,
      },
    },
  });
  expect(created.ok()).toBeTruthy();
}

async function openConnected(page: Page, name: string) {
  await page.getByRole("button", { name: `Open a terminal to ${name}`, exact: true }).click();
  await expect(page.getByRole("tab").filter({ hasText: name })).toContainText("Connected");
}

test("keyboard: Alt+Shift shortcuts switch and close tabs and never reach the shell", async ({ page }) => {
  const keysA = unique("e2e-keys-a");
  const keysB = unique("e2e-keys-b");
  await loginAsAdmin(page);
  await addShellDevice(page, keysA);
  await addShellDevice(page, keysB);
  await page.reload();
  await waitForHydration(page);
  await openConnected(page, keysA);
  await openConnected(page, keysB);
  const tabA = page.getByRole("tab").filter({ hasText: keysA });
  const tabB = page.getByRole("tab").filter({ hasText: keysB });
  await expect(tabB).toHaveAttribute("aria-selected", "true");

  const rows = page.locator(".pane:not(.hidden) .xterm-rows");
  await page.locator(".pane:not(.hidden) .xterm").click();
  await page.keyboard.type("echo sc-");
  await page.keyboard.press("Alt+Shift+ArrowLeft");
  await expect(tabA).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("Alt+Shift+ArrowRight");
  await expect(tabB).toHaveAttribute("aria-selected", "true");
  // Wrapping: right from the last tab is the first.
  await page.keyboard.press("Alt+Shift+ArrowRight");
  await expect(tabA).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("Alt+Shift+ArrowLeft");
  await expect(tabB).toHaveAttribute("aria-selected", "true");
  // Had any shortcut reached the shell, its escape sequence would be in this line.
  await page.keyboard.type("ok-$((2+3))\n");
  await expect(rows).toContainText("sc-ok-5");

  await page.keyboard.press("Alt+Shift+W");
  await expect(tabB).toHaveCount(0);
  await expect(tabA).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("Alt+Shift+W");
  await expect(page.getByRole("tab")).toHaveCount(0);
  await expect(page.getByText("No terminal open")).toBeVisible();
});

test("toasts: actions say they worked, then go by themselves", async ({ page, context }) => {
  const toast = unique("e2e-toast");
  const dup = unique("e2e-dup-name");
  const dead = unique("e2e-dead");
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await loginAsAdmin(page);
  await addShellDevice(page, toast);
  await addShellDevice(page, dup);
  await page.reload();
  await waitForHydration(page);
  const toasts = page.getByRole("region", { name: "Notifications" });

  await openConnected(page, toast);
  await page.getByRole("tab").filter({ hasText: toast })
    .getByRole("button", { name: "Copy user@host:port" }).click();
  const copied = toasts.getByText("Copied to the clipboard");
  await expect(copied).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${SSH_USER}@127.0.0.1:${SSHD_PORT}`);
  await expect(copied).toBeHidden({ timeout: 8_000 });

  const sidebar = page.getByRole("complementary", { name: "Devices" });
  await sidebar.getByRole("button", { name: `Delete ${toast}`, exact: true }).click();
  await page.getByRole("dialog", { name: `Delete ${toast}?` }).getByRole("button", { name: "Delete" }).click();
  await expect(toasts.getByText(`Deleted ${toast}`)).toBeVisible();
  await toasts.getByRole("button", { name: "Dismiss notification" }).first().click();
  await expect(toasts.getByText(`Deleted ${toast}`)).toBeHidden();

  // A terminal that cannot connect says so in a toast as well as in its tab.
  const deadCreated = await page.request.post("/api/devices/create", {
    headers: sameOrigin,
    data: { input: { name: dead, host: "127.0.0.1", port: 1, username: "x", auth_type: "password", password: "x" } },
  });
  expect(deadCreated.ok()).toBeTruthy();
  await page.reload();
  await waitForHydration(page);
  await page.getByRole("button", { name: `Open a terminal to ${dead}`, exact: true }).click();
  await expect(page.getByRole("tab").filter({ hasText: dead })).toContainText("Error");
  await expect(toasts.getByText(`${dead}: the connection failed; its tab says why`)).toBeVisible();

  // A failure is a toast too, with what went wrong.
  await sidebar.getByRole("button", { name: "Add device" }).click();
  const add = page.getByRole("dialog", { name: "Add device" });
  await add.getByLabel("Name", { exact: true }).fill(dup);
  await add.getByLabel("Host", { exact: true }).fill("127.0.0.1");
  await add.getByLabel("Username", { exact: true }).fill("x");
  await add.getByLabel("Password", { exact: true }).fill("x");
  await add.getByRole("button", { name: "Add device" }).click();
  await expect(add.getByText(`A device named "${dup}" already exists.`)).toBeVisible();
  await expect(toasts.getByText("Not saved: check the fields marked in the form")).toBeVisible();
});

test("header: sidebar toggle, compact on a narrow screen, session popover, labelled icon buttons, focus ring", async ({ page }) => {
  await loginAsAdmin(page);
  const sidebar = page.getByRole("complementary", { name: "Devices" });
  const toggle = page.getByRole("button", { name: "Show or hide the device list" });
  await expect(sidebar).toBeVisible();
  await toggle.click();
  await expect(sidebar).toBeHidden();
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await toggle.click();
  await expect(sidebar).toBeVisible();

  // The badge opens a popover with the user and the exact expiry; Esc closes it.
  await page.getByTestId("session-badge").click();
  const popover = page.getByRole("dialog", { name: "Session" });
  await expect(popover).toContainText("Signed in as admin");
  await expect(popover).toContainText(/Session expires at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
  await popover.getByRole("button", { name: "Stay signed in" }).click();
  await expect(page.getByRole("region", { name: "Notifications" })).toContainText("Session extended until");
  await page.keyboard.press("Escape");
  await expect(popover).toBeHidden();

  // Every icon button says what it does, to screen readers and on hover.
  const unlabelled = await page.locator("button.icon-button").evaluateAll((buttons) =>
    buttons.filter((b) => !b.getAttribute("aria-label") || !b.getAttribute("title")).map((b) => b.outerHTML));
  expect(unlabelled).toEqual([]);
  expect(await page.locator("button.icon-button").count()).toBeGreaterThan(3);

  // Keyboard focus is visible.
  await page.locator("body").click({ position: { x: 5, y: 300 } });
  await page.keyboard.press("Tab");
  const outline = await page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    return { tag: el.tagName, style: getComputedStyle(el).outlineStyle };
  });
  expect(outline.tag).not.toBe("BODY");
  expect(outline.style).toBe("solid");

  // Narrow screen: the list starts hidden and the header keeps only its icons.
  await page.setViewportSize({ width: 400, height: 800 });
  await page.reload();
  await waitForHydration(page);
  await expect(sidebar).toBeHidden();
  await expect(page.locator("header.app-header .username")).toBeHidden();
  const header = await page.locator("header.app-header").boundingBox();
  expect(header!.height).toBeLessThan(70);
  await toggle.click();
  await expect(sidebar).toBeVisible();
});

test("session expiry: a warning in the last five minutes offers to stay signed in", async ({ page }) => {
  await page.clock.install();
  await loginAsAdmin(page);
  const warning = page.getByTestId("expiry-warning");
  await expect(warning).toHaveCount(0);
  const expires = await page.getByTestId("session-badge").getAttribute("title");
  const at = Date.parse(expires!.replace("Session expires at ", "").replace(" UTC", "Z").replace(" ", "T"));
  // Jump the page's clock to four minutes before the expiry.
  await page.clock.fastForward(at - 4 * 60_000 - (await page.evaluate(() => Date.now())));
  await expect(warning).toBeVisible();
  await expect(warning).toContainText(/Your session ends in 0:0[34]:\d\d/);
  await expect(page.getByTestId("session-badge")).toHaveClass(/badge-danger/);
});
