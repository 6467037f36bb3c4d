//! `/api/devices*`: the device inventory, key generation and host-key trust.
//! Responses carry `has_password` / `has_key` flags, never a secret.

#[cfg(feature = "ssr")]
use cloudshell::models::Role;
use cloudshell::models::users::DeviceGroup;
use cloudshell::models::{DeviceInput, DeviceView, HostKeyView, KeyAlgorithm};
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

use crate::error::AppError;

/// `GET /api/devices`: the devices the caller may use (admins: all), sorted by name.
/// Auditors use none: 403.
#[server(prefix = "/api", endpoint = "devices", input = GetUrl)]
pub async fn list_devices() -> Result<Vec<DeviceView>, AppError> {
    use super::ssr::{device_error, devices, internal, permissions, require};
    let session = require(Role::uses_devices).await?;
    let scope = permissions()?
        .device_scope(session.user_id, session.role)
        .await
        .map_err(|e| internal("device scope", e))?;
    let mut all = devices()?
        .list()
        .await
        .map_err(|e| device_error("list devices", e))?;
    all.retain(|d| scope.contains(d.id));
    Ok(all)
}

/// `POST /api/devices/create`, JSON `{"input": DeviceInput}`. 422 with field errors if invalid.
#[server(prefix = "/api", endpoint = "devices/create", input = Json)]
pub async fn create_device(input: DeviceInput) -> Result<DeviceView, AppError> {
    use super::ssr::{actor, device_error, devices, require};
    require(Role::manages).await?;
    let actor = actor()?;
    let device = devices()?
        .create(&actor, input)
        .await
        .map_err(|e| device_error("create device", e))?;
    tracing::info!(user = %actor.username, device = device.id, "device created");
    Ok(device)
}

/// `POST /api/devices/update`, JSON `{"id": 1, "input": DeviceInput}`. A missing or empty
/// password, or `"key": "keep"`, keeps the stored secret.
#[server(prefix = "/api", endpoint = "devices/update", input = Json)]
pub async fn update_device(id: i64, input: DeviceInput) -> Result<DeviceView, AppError> {
    use super::ssr::{actor, device_error, devices, require};
    require(Role::manages).await?;
    let actor = actor()?;
    let device = devices()?
        .update(&actor, id, input)
        .await
        .map_err(|e| device_error("update device", e))?;
    tracing::info!(user = %actor.username, device = id, "device updated");
    Ok(device)
}

/// `POST /api/devices/delete` (form `id`).
#[server(prefix = "/api", endpoint = "devices/delete")]
pub async fn delete_device(#[server(default)] id: i64) -> Result<(), AppError> {
    use super::ssr::{actor, device_error, devices, require};
    require(Role::manages).await?;
    let actor = actor()?;
    devices()?
        .delete(&actor, id)
        .await
        .map_err(|e| device_error("delete device", e))?;
    tracing::info!(user = %actor.username, device = id, "device deleted");
    Ok(())
}

/// `POST /api/devices/generate-key` (form `id`, `algorithm` = `ed25519` | `rsa4096`): a new
/// key pair made on the server; the device switches to key auth. Returns the device, whose
/// `public_key` goes into the target's `authorized_keys`.
#[server(prefix = "/api", endpoint = "devices/generate-key")]
pub async fn generate_device_key(
    #[server(default)] id: i64,
    #[server(default)] algorithm: KeyAlgorithm,
) -> Result<DeviceView, AppError> {
    use super::ssr::{actor, device_error, devices, require};
    require(Role::manages).await?;
    let actor = actor()?;
    devices()?
        .generate_key(&actor, id, algorithm)
        .await
        .map_err(|e| device_error("generate key", e))
}

/// `GET /api/devices/host-key?id=N`: the host key trusted for the device's host and port,
/// or `null` before the first connection. For those who may use the device.
#[server(prefix = "/api", endpoint = "devices/host-key", input = GetUrl)]
pub async fn device_host_key(#[server(default)] id: i64) -> Result<Option<HostKeyView>, AppError> {
    use super::ssr::{device_error, devices, require_device};
    require_device(id).await?;
    devices()?
        .host_key(id)
        .await
        .map_err(|e| device_error("host key", e))
}

/// `POST /api/devices/forget-host-key` (form `id`), admins only: the next connection learns
/// the key anew. Returns what was forgotten (`null` if nothing was stored).
#[server(prefix = "/api", endpoint = "devices/forget-host-key")]
pub async fn forget_host_key(#[server(default)] id: i64) -> Result<Option<HostKeyView>, AppError> {
    use super::ssr::{actor, device_error, devices, require};
    require(Role::manages).await?;
    let actor = actor()?;
    devices()?
        .forget_host_key(&actor, id)
        .await
        .map_err(|e| device_error("forget host key", e))
}

/// `GET /api/devices/groups`: the access groups the sidebar shows the caller (admins: all;
/// operators: their own), each with its device ids.
#[server(prefix = "/api", endpoint = "devices/groups", input = GetUrl)]
pub async fn device_groups() -> Result<Vec<DeviceGroup>, AppError> {
    use super::ssr::{internal, permissions, require};
    let session = require(Role::uses_devices).await?;
    permissions()?
        .sidebar_groups(session.user_id, session.role)
        .await
        .map_err(|e| internal("device groups", e))
}

/// `POST /api/devices/set-groups`, JSON `{"id": 3, "groups": [1, 2]}`, admins only: the
/// device is in exactly these access groups afterwards.
#[server(prefix = "/api", endpoint = "devices/set-groups", input = Json)]
pub async fn set_device_groups(id: i64, groups: Vec<i64>) -> Result<(), AppError> {
    use super::ssr::{actor, device_error, devices, require, users};
    require(Role::manages).await?;
    // The device must exist: a group cannot hold a device that is not there.
    devices()?
        .get(id)
        .await
        .map_err(|e| device_error("set device groups", e))?;
    users()?
        .set_device_groups(&actor()?, id, &groups)
        .await
        .map_err(|e| crate::api::users::user_error("set device groups", e))
}
