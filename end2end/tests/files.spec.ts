import { test, expect, Page } from "@playwright/test";
import { createHash, randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addShellDevice, loginAsAdmin } from "./helpers";

/** Drops `bytes` as a file called `name` onto the listing, as a user dragging it in would. */
async function dropFile(page: Page, name: string, bytes: Buffer) {
  const data = await page.evaluateHandle(
    ([name, b64]) => {
      const raw = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([raw], name, { type: "application/octet-stream" }));
      return transfer;
    },
    [name, bytes.toString("base64")] as const,
  );
  const zone = page.locator(".file-drop");
  await zone.dispatchEvent("dragover", { dataTransfer: data });
  await zone.dispatchEvent("drop", { dataTransfer: data });
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

test("files: browse, upload by drop, download, rename, chmod, delete, and every change in the audit log", async ({ page }) => {
  // A folder the device's account may write in (its home is /).
  const work = mkdtempSync(join(tmpdir(), "cloudshell-e2e-files-"));
  chmodSync(work, 0o777);
  try {
    await loginAsAdmin(page);
    const device = await addShellDevice(page, "files");
    await page.getByRole("button", { name: `Browse files on ${device}` }).click();
    const tab = page.locator(`.tab[data-kind=files][data-device="${device}"]`);
    await expect(tab.locator(".badge")).toHaveText("Connected", { timeout: 20_000 });
    const manager = page.locator(`.file-manager[data-device="${device}"]`);
    // It opens in the account's home folder.
    await expect(manager.getByLabel("Path", { exact: true })).toHaveValue("/");

    await manager.getByLabel("Path", { exact: true }).fill(work);
    await manager.getByLabel("Path", { exact: true }).press("Enter");
    await expect(manager.getByText("This folder is empty.")).toBeVisible();

    // Upload by drop: progress in the transfers panel, then the row.
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    await dropFile(page, "payload.bin", bytes);
    const item = manager.locator(".transfer[data-name='payload.bin']");
    await expect(item.locator("progress")).toBeVisible();
    await expect(item.locator(".transfer-state")).toHaveText("Done", { timeout: 30_000 });
    await expect(item.locator("progress")).toHaveAttribute("value", "100");
    const row = manager.locator("tr.file-row[data-name='payload.bin']");
    await expect(row.locator(".col-size")).toHaveAttribute("title", `${bytes.length} bytes`);
    expect(sha256(readFileSync(join(work, "payload.bin")))).toBe(sha256(bytes));

    // Download: the same bytes come back.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      row.getByRole("button", { name: "Download payload.bin" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("payload.bin");
    expect(sha256(readFileSync(await download.path()))).toBe(sha256(bytes));

    // The same name again asks first; "Keep both" uploads beside it.
    await dropFile(page, "payload.bin", Buffer.from("second"));
    const ask = page.getByRole("dialog", { name: "payload.bin already exists" });
    await ask.getByRole("button", { name: "Keep both" }).click();
    await expect(manager.locator("tr.file-row[data-name='payload (1).bin']")).toBeVisible();

    // Rename.
    await row.getByRole("button", { name: "Rename payload.bin" }).click();
    const rename = page.getByRole("dialog", { name: "Rename payload.bin" });
    await rename.getByLabel("Name").fill("renamed.bin");
    await rename.getByRole("button", { name: "Rename" }).click();
    const renamed = manager.locator("tr.file-row[data-name='renamed.bin']");
    await expect(renamed).toBeVisible();
    await expect(row).toHaveCount(0);

    // Permissions: the octal field and the checkboxes agree.
    await renamed.getByRole("button", { name: "Permissions of renamed.bin" }).click();
    const chmod = page.getByRole("dialog", { name: "Permissions of renamed.bin" });
    await chmod.getByLabel("Mode (octal)").fill("0640");
    await expect(chmod.getByRole("checkbox", { name: "Group read" })).toBeChecked();
    await expect(chmod.getByRole("checkbox", { name: "Others read" })).not.toBeChecked();
    await chmod.getByRole("checkbox", { name: "Owner execute" }).check();
    await expect(chmod.getByLabel("Mode (octal)")).toHaveValue("0740");
    await chmod.getByRole("button", { name: "Apply" }).click();
    await expect(renamed.locator(".col-mode")).toHaveText("rwxr----- 0740");

    // A new folder, with something in it: deleting it says how many entries go.
    await manager.getByRole("button", { name: "New folder" }).click();
    const mk = page.getByRole("dialog", { name: "New folder" });
    await mk.getByLabel("Name").fill("logs");
    await mk.getByRole("button", { name: "Create" }).click();
    const folder = manager.locator("tr.file-row[data-name='logs']");
    await expect(folder).toBeVisible();
    writeFileSync(join(work, "logs", "a.log"), "a");
    writeFileSync(join(work, "logs", "b.log"), "b");
    await folder.getByRole("button", { name: "Delete logs" }).click();
    const del = page.getByRole("dialog", { name: "Delete logs?" });
    await del.getByRole("button", { name: "Delete", exact: true }).click();
    await expect(del.getByRole("alert")).toContainText("3 entries");
    await del.getByRole("button", { name: "Delete all 3" }).click();
    await expect(folder).toHaveCount(0);

    // Open the folder by double-click, and back up.
    await manager.getByRole("button", { name: "New folder" }).click();
    await mk.getByLabel("Name").fill("inner");
    await mk.getByRole("button", { name: "Create" }).click();
    await manager.locator("tr.file-row[data-name='inner']").dblclick();
    await expect(manager.getByLabel("Path", { exact: true })).toHaveValue(`${work}/inner`);
    await manager.getByRole("button", { name: "Up one folder" }).click();
    await expect(manager.getByLabel("Path", { exact: true })).toHaveValue(work);

    // Every change is in the audit log, without a reload.
    await page.getByRole("button", { name: "Audit log" }).click();
    const audit = page.getByRole("dialog", { name: "Audit log" });
    for (const text of [
      `Uploaded ${work}/payload.bin`,
      `Downloaded ${work}/payload.bin`,
      `Renamed ${work}/payload.bin to ${work}/renamed.bin`,
      `Changed mode of ${work}/renamed.bin from 0644 to 0740`,
      `Created folder ${work}/logs`,
      `Deleted folder ${work}/logs (3 entries)`,
    ]) {
      await expect(audit.locator("tbody tr", { hasText: text }).first()).toBeVisible({ timeout: 15_000 });
    }
    await page.keyboard.press("Escape");

    // Closing the tab ends the file session, recorded as such.
    await tab.getByRole("button", { name: `Close ${device}` }).click();
    await page.getByRole("button", { name: "Audit log" }).click();
    await expect(
      audit.locator("tbody tr", { hasText: `Ended file session with ${device}` }).first(),
    ).toBeVisible({ timeout: 15_000 });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test("files: a folder uploads whole, a selection downloads as one .tar, 10,000 entries page, refusals show in place, a slow upload can be cancelled", async ({ page }) => {
  const work = mkdtempSync(join(tmpdir(), "cloudshell-e2e-files-"));
  chmodSync(work, 0o777);
  const local = mkdtempSync(join(tmpdir(), "cloudshell-e2e-local-"));
  try {
    await loginAsAdmin(page);
    const device = await addShellDevice(page, "files2");
    await page.getByRole("button", { name: `Browse files on ${device}` }).click();
    const manager = page.locator(`.file-manager[data-device="${device}"]`);
    const path = manager.getByLabel("Path", { exact: true });
    await expect(path).toHaveValue("/", { timeout: 20_000 });

    // A refusal is shown in place, with what it means; CloudShell stays signed in.
    await path.fill("/root");
    await path.press("Enter");
    await expect(manager.getByRole("alert")).toContainText("Permission denied");
    await manager.getByRole("button", { name: "Dismiss" }).click();

    await path.fill(work);
    await path.press("Enter");
    await expect(manager.getByText("This folder is empty.")).toBeVisible();

    // A folder, picked whole, arrives with its inner folders.
    mkdirSync(join(local, "site", "css"), { recursive: true });
    writeFileSync(join(local, "site", "index.html"), "<h1>hi</h1>");
    writeFileSync(join(local, "site", "css", "main.css"), "body{}");
    await manager.getByLabel("Folder to upload").setInputFiles(join(local, "site"));
    await expect(manager.locator("tr.file-row[data-name='site']")).toBeVisible({ timeout: 20_000 });
    await expect
      .poll(() => existsSync(join(work, "site", "css", "main.css")), { timeout: 20_000 })
      .toBe(true);
    expect(readFileSync(join(work, "site", "index.html"), "utf8")).toBe("<h1>hi</h1>");

    // Two entries ticked download as one .tar holding both.
    writeFileSync(join(work, "notes.txt"), "notes");
    await manager.getByRole("button", { name: "Refresh" }).click();
    await manager.getByRole("checkbox", { name: "Select site" }).check();
    await manager.getByRole("checkbox", { name: "Select notes.txt" }).check();
    const [archive] = await Promise.all([
      page.waitForEvent("download"),
      manager.getByRole("button", { name: "Download 2" }).click(),
    ]);
    const listed = execFileSync("tar", ["-tf", await archive.path()], { encoding: "utf8" });
    expect(listed.split("\n").filter(Boolean).sort()).toEqual(
      ["notes.txt", "site/", "site/css/", "site/css/main.css", "site/index.html"],
    );

    // 10,000 entries: shown a page at a time, and the filter finds one.
    const many = join(work, "many");
    mkdirSync(many);
    for (let i = 0; i < 10_000; i++) writeFileSync(join(many, `f${String(i).padStart(5, "0")}`), "");
    await path.fill(many);
    await path.press("Enter");
    await expect(manager.locator(".file-footer")).toContainText("1–200 of 10000", { timeout: 30_000 });
    await expect(manager.locator("tr.file-row")).toHaveCount(200);
    await manager.getByRole("button", { name: "Next" }).click();
    await expect(manager.locator(".file-footer")).toContainText("201–400 of 10000");
    await expect(manager.locator("tr.file-row").first()).toHaveAttribute("data-name", "f00200");
    await manager.getByLabel("Filter by name").fill("f09999");
    await expect(manager.locator("tr.file-row")).toHaveCount(1);

    // A slow upload shows its rate and time left, and Cancel leaves no file behind.
    await path.fill(work);
    await path.press("Enter");
    await expect(manager.locator("tr.file-row[data-name='many']")).toBeVisible();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 256 * 1024,
    });
    await dropFile(page, "slow.bin", randomBytes(8 * 1024 * 1024));
    const slow = manager.locator(".transfer[data-name='slow.bin']");
    await expect(slow.locator(".transfer-figures")).toContainText("/s", { timeout: 20_000 });
    await expect(slow.locator(".transfer-figures")).toContainText("left");
    await slow.getByRole("button", { name: "Cancel slow.bin" }).click();
    await expect(slow.locator(".transfer-state")).toHaveText("Cancelled");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1,
    });
    // Nothing of it stays: not the file, not its temporary name.
    await expect
      .poll(() => readdirSync(work).filter((n) => n.includes("slow") || n.includes("cloudshell-upload")), { timeout: 20_000 })
      .toEqual([]);
    await page.getByRole("button", { name: "Audit log" }).click();
    const audit = page.getByRole("dialog", { name: "Audit log" });
    await expect(audit.locator("tbody tr", { hasText: `Upload of ${work}/slow.bin` }).first()).toBeVisible({ timeout: 15_000 });
    await page.keyboard.press("Escape");

    // Closing the tab mid-upload stops the upload, leaves nothing, and breaks nothing.
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 256 * 1024,
    });
    await dropFile(page, "closing.bin", randomBytes(8 * 1024 * 1024));
    await expect(manager.locator(".transfer[data-name='closing.bin'] .transfer-figures")).toContainText("/s", { timeout: 20_000 });
    await page.locator(`.tab[data-kind=files][data-device="${device}"]`).getByRole("button", { name: `Close ${device}` }).click();
    await expect(manager).toHaveCount(0);
    await expect
      .poll(() => readdirSync(work).filter((n) => n.includes("closing") || n.includes("cloudshell-upload")), { timeout: 20_000 })
      .toEqual([]);
    await expect(page.locator("#crash-screen")).toHaveCount(0);
    await expect(page.getByRole("heading", { name: "No terminal open" })).toBeVisible();
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(local, { recursive: true, force: true });
  }
});
