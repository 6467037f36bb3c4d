import { test, expect } from "@playwright/test";
import { loginAsAdmin, unique } from "./helpers";

test("devices: add with a generated key, see it in the sidebar, edit it, delete it", async ({ page }) => {
  const web01 = unique("e2e-web01");
  const web02 = unique("e2e-web02");
  await loginAsAdmin(page);
  const sidebar = page.getByRole("complementary", { name: "Devices" });

  await sidebar.getByRole("button", { name: "Add device" }).click();
  const add = page.getByRole("dialog", { name: "Add device" });
  // An empty form is refused field by field, before any request.
  await add.getByRole("button", { name: "Add device" }).click();
  await expect(add.getByText("Name must be 1 to 64 characters.")).toBeVisible();
  await expect(add.getByText("Enter a host name")).toBeVisible();

  await add.getByLabel("Name", { exact: true }).fill(web01);
  await add.getByLabel("Host", { exact: true }).fill("127.0.0.1");
  await add.getByLabel("Port", { exact: true }).fill("2222");
  await add.getByLabel("Username", { exact: true }).fill("deploy");
  await add.getByLabel("Authentication").selectOption("private_key");
  await add.getByLabel("Generate a new key on the server").check();
  await add.getByRole("button", { name: "Add device" }).click();

  await expect(add.getByRole("status")).toContainText("Key generated");
  await expect(add.getByLabel("Public key (for authorized_keys)")).toHaveValue(
    new RegExp(`^ssh-ed25519 \\S+ cloudshell@${web01}$`),
  );
  await expect(add.getByRole("button", { name: "Copy public key" })).toBeVisible();
  await add.getByRole("button", { name: "Done" }).click();
  await expect(add).toBeHidden();

  const first = sidebar.getByRole("listitem").filter({ hasText: web01 });
  await expect(first).toContainText("deploy@127.0.0.1:2222");

  // Edit: the stored key is kept and its public half shown; no host key is known yet.
  await sidebar.getByRole("button", { name: `Edit ${web01}` }).click();
  const edit = page.getByRole("dialog", { name: `Edit ${web01}` });
  await expect(edit.getByLabel("Keep the stored key")).toBeChecked();
  await expect(edit.getByLabel("Public key (for authorized_keys)")).toHaveValue(/^ssh-ed25519 /);
  await expect(edit.getByText("None stored yet")).toBeVisible();
  await edit.getByLabel("Name", { exact: true }).fill(web02);
  // Another port: the form says, before saving, that the stored key would not go along,
  // and saving asks for it again.
  await edit.getByLabel("Port", { exact: true }).fill("22");
  const note = edit.getByRole("status").filter({ hasText: "not sent to a new place" });
  await expect(note).toBeVisible();
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit.getByText("paste or load the key again, or generate one")).toBeVisible();
  // Back to the stored endpoint: the note goes and the rename saves with the key kept.
  await edit.getByLabel("Port", { exact: true }).fill("2222");
  await expect(note).toBeHidden();
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit).toBeHidden();
  const renamed = sidebar.getByRole("listitem").filter({ hasText: web02 });
  await expect(renamed).toContainText("deploy@127.0.0.1:2222");
  await expect(first).toHaveCount(0);

  // Delete asks first; Cancel (focused, so Enter is safe) keeps the device.
  await sidebar.getByRole("button", { name: `Delete ${web02}` }).click();
  let confirm = page.getByRole("dialog", { name: `Delete ${web02}?` });
  await expect(confirm.getByRole("button", { name: "Cancel" })).toBeFocused();
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(renamed).toBeVisible();
  await sidebar.getByRole("button", { name: `Delete ${web02}` }).click();
  confirm = page.getByRole("dialog", { name: `Delete ${web02}?` });
  await confirm.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(confirm).toBeHidden();
  await expect(renamed).toHaveCount(0);

  // Every step is in the audit log.
  const audit = await page.request.get("/api/audit?limit=200");
  expect(audit.ok()).toBeTruthy();
  const details = (await audit.json()).entries.map((e: { action: string; detail: string }) => `${e.action} ${e.detail}`);
  expect(details).toContainEqual(`DEVICE_CREATED Created device ${web01} (deploy@127.0.0.1:2222, private key)`);
  expect(details.some((d: string) => d.startsWith(`KEY_GENERATED Generated Ed25519 key for ${web01}: SHA256:`))).toBeTruthy();
  expect(details).toContainEqual(`DEVICE_UPDATED Updated device ${web02} (was ${web01}): name`);
  expect(details).toContainEqual(`DEVICE_DELETED Deleted device ${web02} (deploy@127.0.0.1:2222)`);
});
