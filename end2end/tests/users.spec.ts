import { test, expect, Browser, Page } from "@playwright/test";
import { ADMIN_PASSWORD } from "../playwright.config";
import { addShellDevice, loginAsAdmin, unique, waitForHydration } from "./helpers";

/** Signs in as `name` in a context of its own (a second browser, as another person). */
async function signIn(browser: Browser, name: string, password: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("Username").fill(name);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  return page;
}

/** The first sign-in's form: the temporary password, then one's own. */
async function choosePassword(page: Page, temporary: string, own: string) {
  const form = page.getByRole("dialog", { name: "Choose your password" });
  await expect(form).toBeVisible();
  await waitForHydration(page);
  await form.getByLabel("Current password").fill(temporary);
  await form.getByLabel("New password (at least 12 characters)").fill(own);
  await form.getByLabel("New password again").fill(own);
  await form.getByRole("button", { name: "Change password" }).click();
}

/** Creates a user in the open Users modal; returns the temporary password it shows once. */
async function createUser(page: Page, name: string, role: string, group?: string): Promise<string> {
  const dialog = page.getByRole("dialog", { name: "Users and groups" });
  await dialog.getByRole("button", { name: "Users", exact: true }).click();
  await dialog.getByRole("button", { name: "New user" }).click();
  await dialog.getByLabel("Username").fill(name);
  await dialog.getByLabel("Role").selectOption(role);
  if (group) {
    await dialog.getByRole("checkbox", { name: group }).check();
  }
  await dialog.getByRole("button", { name: "Create user" }).click();
  const shown = dialog.getByTestId("temporary-password");
  await expect(shown).toBeVisible();
  const password = (await shown.textContent()) ?? "";
  expect(password.length).toBeGreaterThanOrEqual(20);
  await dialog.getByRole("button", { name: "Done" }).click();
  return password;
}

test("an admin gives an operator one device; the operator uses it; disabling ends their terminal", async ({ page, browser }) => {
  await loginAsAdmin(page);
  const shell = await addShellDevice(page, "e2e-granted");
  const other = await addShellDevice(page, "e2e-not-granted");
  const group = unique("e2e-group");
  const operator = unique("e2e-op");

  // A group holding the one device, made in the Users and groups modal.
  await page.getByRole("button", { name: "Users and groups" }).click();
  const dialog = page.getByRole("dialog", { name: "Users and groups" });
  await dialog.getByRole("button", { name: "Access groups" }).click();
  await dialog.getByLabel("New group name").fill(group);
  await dialog.getByRole("button", { name: "Create group" }).click();
  await expect(dialog.getByLabel("Group name", { exact: true })).toHaveValue(group);
  await dialog.getByLabel("Search devices").fill(shell);
  await dialog.getByRole("checkbox", { name: shell }).check();
  await dialog.getByRole("button", { name: "Save group" }).click();
  await expect(dialog.getByRole("button", { name: new RegExp(`${group}.*1 devices`) })).toBeVisible();

  const temporary = await createUser(page, operator, "operator", group);
  const row = dialog.locator(`tr[data-user="${operator}"]`);
  await expect(row).toContainText("Operator");
  await expect(row).toContainText(group);
  await expect(row).toContainText("Password change pending");

  // The operator must choose a password first, then sees exactly the granted device.
  const op = await signIn(browser, operator, temporary);
  await choosePassword(op, temporary, "operator-own-password-1");
  const sidebar = op.getByRole("complementary", { name: "Devices" });
  await expect(sidebar).toBeVisible({ timeout: 15_000 });
  await expect(sidebar.locator("li.device-item")).toHaveCount(1);
  await expect(sidebar.getByText(group)).toBeVisible();
  await expect(sidebar.getByText(other)).toHaveCount(0);
  await expect(op.getByRole("button", { name: "Add device" })).toHaveCount(0);
  await expect(op.getByRole("button", { name: `Edit ${shell}` })).toHaveCount(0);
  await expect(op.getByRole("button", { name: "Users and groups" })).toHaveCount(0);

  await op.getByRole("button", { name: `Open a terminal to ${shell}` }).click();
  const tab = op.getByRole("tab").filter({ hasText: shell });
  await expect(tab).toContainText("Connected");
  const terminal = op.locator(".pane:not(.hidden) .xterm");
  await terminal.click();
  await op.keyboard.type("echo granted-$((6*7))\n");
  const rows = op.locator(".pane:not(.hidden) .xterm-rows");
  await expect(rows).toContainText("granted-42");

  // The admin disables the operator: the terminal ends within 2 s, saying why.
  await dialog.getByRole("button", { name: "Users", exact: true }).click();
  await row.getByRole("button", { name: `Disable ${operator}` }).click();
  const disabledAt = Date.now();
  await dialog.getByRole("button", { name: "Disable", exact: true }).click();
  await expect(rows).toContainText("Disconnected: account disabled", { timeout: 2_000 });
  expect(Date.now() - disabledAt).toBeLessThan(2_000);
  await expect(row).toContainText("Disabled");
  await op.context().close();

  // The log says who did what.
  await dialog.getByRole("button", { name: "Close" }).click();
  await page.getByRole("button", { name: "Audit log" }).click();
  const log = page.getByRole("dialog", { name: "Audit log" });
  await expect(log.getByText(`Disabled ${operator}; signed out 1 session(s)`)).toBeVisible({ timeout: 15_000 });
  await expect(log.getByText(new RegExp(`Created user ${operator} with role operator; groups: ${group}`))).toBeVisible();
});

test("an auditor reads the whole log and has no devices", async ({ page, browser }) => {
  await loginAsAdmin(page);
  const shell = await addShellDevice(page, "e2e-audited");
  const auditor = unique("e2e-auditor");
  await page.getByRole("button", { name: "Users and groups" }).click();
  const temporary = await createUser(page, auditor, "auditor");

  const au = await signIn(browser, auditor, temporary);
  await choosePassword(au, temporary, "auditor-own-password-1");
  await expect(au.getByRole("heading", { name: "Audit access" })).toBeVisible({ timeout: 15_000 });
  await expect(au.getByRole("complementary", { name: "Devices" })).toHaveCount(0);
  await expect(au.getByTestId("role")).toHaveText("Auditor");
  // Refused by the server too, not only hidden.
  expect((await au.request.get("/api/devices")).status()).toBe(403);

  await au.getByRole("button", { name: "Audit log" }).click();
  const log = au.getByRole("dialog", { name: "Audit log" });
  // Entries by the admin, not only the auditor's own, and the chain check.
  await expect(log.getByText(new RegExp(`Created device ${shell}`)).first()).toBeVisible({ timeout: 15_000 });
  await expect(log.getByText(/Chain intact|intact/i).first()).toBeVisible();
  await au.context().close();
});

test("the last admin cannot be demoted, and the page says why", async ({ page }) => {
  await loginAsAdmin(page);
  await page.getByRole("button", { name: "Users and groups" }).click();
  const dialog = page.getByRole("dialog", { name: "Users and groups" });
  await dialog.locator('tr[data-user="admin"]').getByRole("button", { name: "Edit admin" }).click();
  await dialog.getByLabel("Role").selectOption("operator");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByRole("alert")).toHaveText("This is the last active admin. Make another user admin first.");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog.locator('tr[data-user="admin"]')).toContainText("Admin");
  // Esc closes the modal.
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
});

test("My account lists the user's browsers and signs the others out", async ({ page, browser }) => {
  await loginAsAdmin(page);
  const other = await signIn(browser, "admin", ADMIN_PASSWORD);
  await expect(other).toHaveURL(/\/$/);

  await page.getByRole("button", { name: "My account" }).click();
  const dialog = page.getByRole("dialog", { name: "My account" });
  const browsers = dialog.getByRole("list", { name: "Signed-in browsers" }).locator("li");
  expect(await browsers.count()).toBeGreaterThanOrEqual(2);
  await expect(browsers.filter({ hasText: "This browser" })).toHaveCount(1);
  await dialog.getByRole("button", { name: /Sign out other sessions/ }).click();
  await expect(browsers).toHaveCount(1);
  await expect(dialog.getByRole("button", { name: "Sign out other sessions (0)" })).toBeDisabled();

  // The other browser is signed out: its next page load lands on the login page.
  await other.reload();
  await expect(other).toHaveURL(/\/login$/);
  await other.context().close();
});
