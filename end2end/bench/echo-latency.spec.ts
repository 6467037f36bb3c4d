import { test, expect, Page } from "@playwright/test";
import { addShellDevice, loginAsAdmin, sameOrigin } from "../tests/helpers";

// Key-to-echo latency in the focused pane of a 4×4 grid: from the keydown event in the page to
// the echoed character appearing in that terminal's rows (xterm.js has rendered it), first
// with all 16 terminals idle, then with the 15 others streaming output, then with the focused
// one streaming too. The focused pane's stream writes one line at a time: a burst of more
// lines than the pane has rows could scroll the echo away before it is ever drawn.
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);
const STREAM = process.env.BENCH_STREAM ?? "while :; do seq 1 10; sleep 0.1; done";
const FOCUSED_STREAM = "while :; do echo 0; sleep 0.05; done";
// Letters only: the streams print digits, so a letter on screen is an echo.
const KEYS = "qwertyuiopasdfghjklzxcvbnm";

async function focusPane(page: Page, at: number) {
  const pane = page.locator(`.pane[data-pane="${at}"]:not(.empty-pane)`);
  await expect(async () => {
    await pane.locator(".xterm").click();
    await expect(pane.locator("textarea.xterm-helper-textarea")).toBeFocused({ timeout: 1_000 });
  }).toPass({ timeout: 10_000 });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function measure(page: Page, label: string) {
  const rows = page.locator('.pane[data-pane="15"] .xterm-rows');
  // Armed only while measuring: commands typed into panes in between are not samples.
  await page.evaluate(() => Object.assign((window as any).__bench, { samples: [], pending: null, armed: true }));
  for (let i = 0; i < SAMPLES; i++) {
    const key = KEYS[i % KEYS.length];
    await expect(rows).not.toContainText(key, { timeout: 10_000 });
    await page.keyboard.press(key);
    // An echo never seen (scrolled away unseen) counts as a miss, reported with the figures.
    await page
      .waitForFunction(() => (window as any).__bench.pending === null, null, { polling: "raf", timeout: 3_000 })
      .catch(() => page.evaluate(() => ((window as any).__bench.pending = null)));
    // The tty's line-kill erases the echoed letter, so the next one starts from a clean line.
    await page.keyboard.press("Control+U");
  }
  const samples: number[] = await page.evaluate(() => {
    const bench = (window as any).__bench;
    bench.armed = false;
    return bench.samples;
  });
  const missed = SAMPLES - samples.length;
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  console.log(
    `key-to-echo, ${label}: p50 ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms, ` +
      `max ${sorted[sorted.length - 1].toFixed(1)} ms, mean ${mean.toFixed(1)} ms (n=${samples.length}, missed ${missed})`,
  );
}

test("key-to-echo latency with 16 panes", async ({ page }) => {
  await loginAsAdmin(page);
  const device = await addShellDevice(page, "bench");
  await page.getByRole("spinbutton", { name: "Rows" }).fill("4");
  await page.getByRole("spinbutton", { name: "Columns" }).fill("4");
  await page.getByRole("button", { name: "Apply grid" }).click();
  await expect(page.locator(".empty-pane")).toHaveCount(16);
  const open = page.getByRole("button", { name: `New session to ${device}` });
  // One at a time: sshd drops unauthenticated connections beyond its MaxStartups.
  for (let i = 1; i <= 16; i++) {
    await open.click();
    await expect(page.getByRole("tab").filter({ hasText: "Connected" })).toHaveCount(i, { timeout: 20_000 });
  }
  for (let at = 0; at < 16; at++) {
    await focusPane(page, at);
    await page.keyboard.type("clear\n");
  }
  await focusPane(page, 15);
  await expect(page.locator('.pane[data-pane="15"] .xterm-rows')).toContainText("$");

  // The probe: a keydown starts a sample, the first render showing that letter ends it.
  await page.evaluate(() => {
    const rows = document.querySelector('.pane[data-pane="15"] .xterm-rows')!;
    const bench = { armed: false, pending: null as null | { key: string; t0: number }, samples: [] as number[] };
    (window as any).__bench = bench;
    window.addEventListener(
      "keydown",
      (e) => {
        if (bench.armed && e.key.length === 1 && /[a-z]/.test(e.key) && !e.ctrlKey) bench.pending = { key: e.key, t0: performance.now() };
      },
      true,
    );
    new MutationObserver(() => {
      const p = bench.pending;
      if (p && (rows.textContent ?? "").includes(p.key)) {
        bench.samples.push(performance.now() - p.t0);
        bench.pending = null;
      }
    }).observe(rows, { childList: true, subtree: true, characterData: true });
  });

  await measure(page, "16 panes idle");

  for (let at = 0; at < 15; at++) {
    await focusPane(page, at);
    await page.keyboard.type(`${STREAM}\n`);
  }
  await focusPane(page, 15);
  await measure(page, `15 other panes each streaming \`${STREAM}\``);
  await page.keyboard.type(`${FOCUSED_STREAM}\n`);
  await measure(page, `the same, and the focused pane streaming \`${FOCUSED_STREAM}\``);

  const res = await page.request.post("/api/workspace/save", {
    headers: sameOrigin,
    data: { layout: { rows: 1, cols: 1, row_sizes: [1], col_sizes: [1], seats: [null] } },
  });
  expect(res.ok()).toBeTruthy();
});
