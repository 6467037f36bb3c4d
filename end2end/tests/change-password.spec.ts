import { test, expect, APIRequestContext, Page } from "@playwright/test";
import { ADMIN_PASSWORD } from "../playwright.config";
import { loginAsAdmin, sameOrigin } from "./helpers";

async function changePassword(page: Page, current: string, next: string, confirm = next) {
  await page.getByRole("button", { name: "My account" }).click();
  const dialog = page.getByRole("dialog", { name: "My account" });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Current password").fill(current);
  await dialog.getByLabel("New password (at least 12 characters)").fill(next);
  await dialog.getByLabel("New password again").fill(confirm);
  await dialog.getByRole("button", { name: "Change password" }).click();
  return dialog;
}

/** Puts the shared admin password back through the API, from what it may have been changed to.
 *  Quiet when that password does not work (the change never happened), so the test's own
 *  failure is the one reported. */
async function restoreAdminPassword(request: APIRequestContext, current: string) {
  const login = await request.post("/api/auth/login", {
    headers: sameOrigin,
    form: { username: "admin", password: current },
  });
  if (login.status() !== 200) return;
  const res = await request.post("/api/auth/change-password", {
    headers: sameOrigin,
    form: { current_password: current, new_password: ADMIN_PASSWORD, confirm_password: ADMIN_PASSWORD },
  });
  expect(res.status()).toBe(200);
}

test("change password: inline errors, Esc closes, success, and back again", async ({ page }) => {
  // The other specs log in with ADMIN_PASSWORD: however this test ends, it is put back.
  let current = ADMIN_PASSWORD;
  try {
    await changeAndRestore(page, (changed) => { current = changed; });
  } finally {
    if (current !== ADMIN_PASSWORD) await restoreAdminPassword(page.request, current);
  }
});

async function changeAndRestore(page: Page, changedTo: (password: string) => void) {
  await loginAsAdmin(page);

  // The policy is explained before any request.
  let dialog = await changePassword(page, ADMIN_PASSWORD, "short");
  await expect(dialog.getByRole("alert")).toHaveText(/at least 12 characters/);
  // A wrong current password comes back from the server, inline.
  await dialog.getByLabel("Current password").fill("not-my-password-1");
  await dialog.getByLabel("New password (at least 12 characters)").fill("a-new-password-123");
  await dialog.getByLabel("New password again").fill("a-new-password-123");
  await dialog.getByRole("button", { name: "Change password" }).click();
  await expect(dialog.getByRole("alert")).toHaveText("The current password is wrong.");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();

  const next = "a-new-password-123";
  // From the moment it is submitted, the change may have happened.
  changedTo(next);
  dialog = await changePassword(page, ADMIN_PASSWORD, next);
  await expect(dialog.getByRole("status")).toContainText("Password changed");
  await dialog.getByRole("button", { name: "Close", exact: true }).last().click();
  await expect(dialog).toBeHidden();
  // Still logged in; put the original password back for the other tests.
  dialog = await changePassword(page, next, ADMIN_PASSWORD);
  await expect(dialog.getByRole("status")).toContainText("Password changed");
  changedTo(ADMIN_PASSWORD);
}
