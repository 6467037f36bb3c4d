import { Page, expect } from "@playwright/test";

/** Waits until the WASM app has hydrated the server-rendered page. */
export async function waitForHydration(page: Page) {
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 30_000 });
}
