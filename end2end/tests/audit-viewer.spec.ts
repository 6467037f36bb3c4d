import { test, expect, Page } from "@playwright/test";
import { loginAsAdmin as login, sameOrigin } from "./helpers";
import * as fs from "node:fs";

async function openAuditLog(page: Page) {
  await page.getByRole("button", { name: "Audit log" }).click();
  const dialog = page.getByRole("dialog", { name: "Audit log" });
  await expect(dialog).toBeVisible();
  await expect(dialog.locator("tbody tr").first()).toBeVisible();
  return dialog;
}

test("the audit log shows the login, stays live, reopens fresh, filters and exports", async ({ page, browser }) => {
  await login(page);
  let dialog = await openAuditLog(page);

  // 1. The LOGIN row with the user and a UTC timestamp.
  const loginRow = dialog.locator("tbody tr", { hasText: "Logged in" }).first();
  await expect(loginRow).toContainText("admin");
  await expect(loginRow.locator("td").first()).toHaveText(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  await expect(dialog.getByText("Chain intact")).toBeVisible();
  await expect(dialog.getByTestId("audit-updated")).toHaveText(/Updated \d\d:\d\d:\d\d UTC/);

  // 2. An event from a second browser context appears within 12 s, without a reload.
  const other = await browser.newContext();
  const intruder = await other.newPage();
  const tried = `intruder${Date.now()}`;
  const res = await intruder.request.post("/api/auth/login", {
    headers: sameOrigin,
    form: { username: tried, password: "not-a-real-password" },
  });
  expect(res.status()).toBe(401);
  await other.close();
  await expect(dialog.locator("tbody tr", { hasText: tried })).toContainText("Login failed", {
    timeout: 12_000,
  });

  // 3. Close and reopen: the new data is there at once.
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  dialog = await openAuditLog(page);
  await expect(dialog.locator("tbody tr", { hasText: tried })).toBeVisible();

  // 4. A filter by action shows only matching rows.
  await dialog.getByLabel("Filter by action").click();
  await dialog.getByRole("checkbox", { name: "Login failed" }).check();
  await expect(dialog.locator("tbody tr", { hasText: "Logged in" })).toHaveCount(0);
  const actions = await dialog.locator("tbody tr td:nth-child(3)").allTextContents();
  expect(actions.length).toBeGreaterThan(0);
  for (const a of actions) expect(a.trim()).toBe("Login failed");
  const total = Number((await dialog.getByTestId("audit-total").textContent())?.split(" ")[0]);
  expect(total).toBe(actions.length);

  // 5. Export downloads a CSV whose header and row count match.
  await dialog.getByText("Export", { exact: true }).click();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    dialog.getByRole("link", { name: "CSV" }).click(),
  ]);
  const csv = fs.readFileSync(await download.path(), "utf8").trim().split("\n");
  expect(csv[0]).toBe("id,timestamp_utc,username,action,source_ip,detail,device_id,session_id,outcome,reason");
  expect(csv.length - 1).toBe(total);
  for (const line of csv.slice(1)) expect(line).toContain("LOGIN_FAILED");
});

test("Esc closes the viewer and Tab stays inside it", async ({ page }) => {
  await login(page);
  const dialog = await openAuditLog(page);
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press("Tab");
    const inside = await dialog.evaluate((d) => d.contains(document.activeElement));
    expect(inside).toBe(true);
  }
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
});
