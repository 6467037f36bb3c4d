import { test, expect } from "@playwright/test";
import { SSHD_PORT, SSH_PASSWORD, SSH_USER } from "../playwright.config";
import { loginAsAdmin, sameOrigin, unique } from "./helpers";

test("the app runs under its Content-Security-Policy: hydration, xterm.js, the worker, no violations", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (msg) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(msg.text())) violations.push(msg.text());
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`));
  });

  const login = await page.goto("/login");
  const policy = login!.headers()["content-security-policy"];
  expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9_-]+' 'wasm-unsafe-eval'/);
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).not.toMatch(/script-src[^;]*unsafe-inline/);

  await loginAsAdmin(page);
  const name = unique("e2e-csp");
  const created = await page.request.post("/api/devices/create", {
    headers: sameOrigin,
    data: { input: { name, host: "127.0.0.1", port: SSHD_PORT, username: SSH_USER, auth_type: "password", password: SSH_PASSWORD } },
  });
  expect(created.ok()).toBeTruthy();
  await page.reload();
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 30_000 });
  await page.getByRole("button", { name: `Open a terminal to ${name}`, exact: true }).click();
  await expect(page.getByRole("tab").filter({ hasText: name })).toContainText("Connected");
  await page.locator(".pane:not(.hidden) .xterm").click();
  await page.keyboard.type("echo csp-$((40+2))\n");
  await expect(page.locator(".pane:not(.hidden) .xterm-rows")).toContainText("csp-42");
  expect(await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state)).toBe("activated");
  expect(violations).toEqual([]);
});
