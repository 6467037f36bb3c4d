import { test, expect, chromium, BrowserContext } from "@playwright/test";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { waitForHydration } from "./helpers";

// Chromium refuses to install anything from an incognito profile, which Playwright's default
// contexts are: these tests use a real (temporary) profile.
let profile: string;
let context: BrowserContext;

test.beforeAll(async ({ baseURL }, info) => {
  profile = fs.mkdtempSync(path.join(os.tmpdir(), "cloudshell-pwa-"));
  const launch = info.project.use.launchOptions ?? {};
  context = await chromium.launchPersistentContext(profile, {
    ...launch,
    baseURL,
    headless: true,
  });
});

test.afterAll(async () => {
  await context?.close();
  fs.rmSync(profile, { recursive: true, force: true });
});

test("installable: manifest loads, the service worker is active, Chromium reports no installability errors", async () => {
  const page = await context.newPage();
  await page.goto("/login");
  await waitForHydration(page);

  const manifestHref = await page.locator('link[rel="manifest"]').getAttribute("href");
  expect(manifestHref).toBe("/manifest.webmanifest");
  const manifestRes = await page.request.get(manifestHref!);
  expect(manifestRes.ok()).toBe(true);
  const manifest = await manifestRes.json();
  expect(manifest.display).toBe("standalone");
  expect(manifest.start_url).toBe("/");
  const sizes = manifest.icons.map((i: { sizes: string }) => i.sizes);
  expect(sizes).toEqual(expect.arrayContaining(["192x192", "512x512", "any"]));
  expect(manifest.icons.some((i: { purpose: string }) => i.purpose === "maskable")).toBe(true);
  for (const icon of manifest.icons) {
    const res = await page.request.get(icon.src);
    expect(res.ok(), icon.src).toBe(true);
    expect(res.headers()["content-type"]).toBe(icon.type);
  }

  const worker = await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    return { state: reg.active?.state, url: reg.active?.scriptURL };
  });
  expect(worker.url).toMatch(/\/sw\.js$/);
  await expect.poll(() => page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state)).toBe("activated");

  // The precache holds static assets and the offline page, never API answers or pages.
  const cached = await page.evaluate(async () => {
    const names = await caches.keys();
    const urls: string[] = [];
    for (const name of names) {
      for (const req of await (await caches.open(name)).keys()) urls.push(new URL(req.url).pathname);
    }
    return { names, urls };
  });
  expect(cached.names).toHaveLength(1);
  expect(cached.names[0]).toMatch(/^cloudshell-[0-9a-f]{16}$/);
  expect(cached.urls).toEqual(expect.arrayContaining(["/offline.html", "/icons/icon-192.png", "/xterm/xterm.mjs"]));
  expect(cached.urls.some((u) => u.startsWith("/pkg/") && u.endsWith(".wasm"))).toBe(true);
  expect(cached.urls.filter((u) => u.startsWith("/api/") || u === "/" || u === "/login")).toEqual([]);

  const cdp = await context.newCDPSession(page);
  const { errors } = await cdp.send("Page.getAppManifest");
  expect(errors).toEqual([]);
  const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
  expect(installabilityErrors).toEqual([]);
  await page.close();
});

test("offline: a page load the server cannot answer shows the offline page", async () => {
  const page = await context.newPage();
  await page.goto("/login");
  await waitForHydration(page);
  await page.evaluate(() => navigator.serviceWorker.ready);
  // The worker controls a page only from a load that started under it.
  await page.reload();
  await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);

  await context.setOffline(true);
  try {
    await page.goto("/");
    await expect(page.getByRole("heading", { name: "CloudShell cannot reach its server" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Retry now" })).toBeVisible();
  } finally {
    await context.setOffline(false);
  }
  // Back online, the offline page notices the server answers and reloads by itself.
  await expect(page).toHaveURL(/\/login$/, { timeout: 15_000 });
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  await page.close();
});
