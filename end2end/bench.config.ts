import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

// Benchmarks: the same servers as the tests, the specs in ./bench, which print their figures.
// Run: cd end2end && npx playwright test --config bench.config.ts
export default defineConfig({ ...base, testDir: "./bench", timeout: 15 * 60_000 });
