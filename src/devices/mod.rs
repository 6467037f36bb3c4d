//! The device inventory: CRUD with validation, secrets through the vault, every change audited.
//! Devices are shared by everyone who can log in (a team's inventory); the audit log says who
//! did what.

mod changes;
mod rebind;
mod secrets;

use rebind::secret_endpoint;

use sea_orm::{
    ActiveModelTrait, DatabaseConnection, DbErr, EntityTrait, IntoActiveModel, Set, SqlErr,
    TransactionTrait,
};
use time::OffsetDateTime;

use crate::audit::{Actor, AuditError, Auditor};
use crate::db::entities::device;
use crate::models::{
    AuditAction, DeviceFields, DeviceInput, DeviceView, FieldError, HostKeyView, KeyAlgorithm,
    KeyInput, SshAuthType,
};
use crate::secret::SecretString;
use crate::ssh::host_keys::{HostKeyError, HostKeyStore, endpoint};
use crate::vault::{Binding, Vault, VaultError};

#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("invalid device input")]
    Invalid(Vec<FieldError>),
    #[error("no such device")]
    NotFound,
    #[error("device store: {0}")]
    Db(#[from] DbErr),
    /// For decryption, the text is the one the user sees when connecting.
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error(transparent)]
    HostKey(#[from] HostKeyError),
    #[error("key generation failed")]
    KeyGeneration,
    /// Key work is at capacity; nothing was saved. Try again in a moment.
    #[error("key work is at capacity")]
    Busy,
}

/// A device's decrypted secrets, for the SSH client only. `Debug` stays redacted.
#[derive(Debug, Clone, Default)]
pub struct DeviceCredentials {
    pub password: Option<SecretString>,
    pub private_key: Option<SecretString>,
    pub passphrase: Option<SecretString>,
}

#[derive(Clone)]
pub struct DeviceService {
    db: DatabaseConnection,
    vault: Vault,
    auditor: Auditor,
    host_keys: HostKeyStore,
}

impl DeviceService {
    pub fn new(db: DatabaseConnection, vault: Vault, auditor: Auditor) -> Self {
        let host_keys = HostKeyStore::new(db.clone(), auditor.clone());
        Self {
            db,
            vault,
            auditor,
            host_keys,
        }
    }

    pub fn host_keys(&self) -> &HostKeyStore {
        &self.host_keys
    }

    /// Every device, sorted by name without regard to case.
    pub async fn list(&self) -> Result<Vec<DeviceView>, DeviceError> {
        let mut rows = device::Entity::find().all(&self.db).await?;
        rows.sort_by_cached_key(|d| (d.name.to_lowercase(), d.id));
        Ok(rows.iter().map(view).collect())
    }

    async fn row(&self, id: i64) -> Result<device::Model, DeviceError> {
        device::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(DeviceError::NotFound)
    }

    pub async fn get(&self, id: i64) -> Result<DeviceView, DeviceError> {
        Ok(view(&self.row(id).await?))
    }

    /// Field checks plus a case-insensitive unique name.
    async fn check_fields(
        &self,
        fields: &DeviceFields,
        own_id: Option<i64>,
    ) -> Result<Vec<FieldError>, DeviceError> {
        let mut errors = fields.validate().err().unwrap_or_default();
        let name = fields.name.trim().to_lowercase();
        let taken = device::Entity::find()
            .all(&self.db)
            .await?
            .iter()
            .any(|d| Some(d.id) != own_id && d.name.to_lowercase() == name);
        if taken {
            errors.push(name_taken(fields.name.trim()));
        }
        Ok(errors)
    }

    pub async fn create(
        &self,
        actor: &Actor,
        input: DeviceInput,
    ) -> Result<DeviceView, DeviceError> {
        let fields = trimmed(&input.fields);
        let mut errors = self.check_fields(&fields, None).await?;
        let new = secrets::prepare(
            &actor.username,
            &input,
            None,
            false,
            key_comment(&fields.name),
            &mut errors,
        )
        .await?;

        let now = OffsetDateTime::now_utc();
        let txn = self.db.begin().await?;
        let inserted = device::ActiveModel {
            name: Set(fields.name.clone()),
            host: Set(fields.host.clone()),
            port: Set(fields.port as i32),
            username: Set(fields.username.clone()),
            auth_type: Set(fields.auth_type.as_str().to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| unique_name(e, &fields.name))?;
        // The ciphertexts are bound to the row id, so they are written once it exists.
        let id = inserted.id;
        let mut row = inserted.clone().into_active_model();
        let place = secret_endpoint(&fields.username, &fields.host, fields.port);
        let target = secrets::Target {
            id,
            auth: fields.auth_type,
            endpoint: &place,
            endpoint_changed: false,
        };
        secrets::apply(&mut row, target, None, &new, &self.vault)?;
        let saved = if row.is_changed() {
            row.update(&txn).await?
        } else {
            inserted
        };
        txn.commit().await?;

        let detail = format!(
            "Created device {} ({}@{}, {})",
            fields.name,
            fields.username,
            endpoint(&fields.host, fields.port),
            fields.auth_type.label().to_lowercase()
        );
        self.audit(actor, AuditAction::DeviceCreated, id, detail)
            .await?;
        self.audit_generated(actor, &saved, &new).await?;
        Ok(view(&saved))
    }

    pub async fn update(
        &self,
        actor: &Actor,
        id: i64,
        input: DeviceInput,
    ) -> Result<DeviceView, DeviceError> {
        let stored = self.row(id).await?;
        let fields = trimmed(&input.fields);
        let mut errors = self.check_fields(&fields, Some(id)).await?;
        let endpoint = secret_endpoint(&fields.username, &fields.host, fields.port);
        let endpoint_changed =
            endpoint != secret_endpoint(&stored.username, &stored.host, port(&stored));
        let new = secrets::prepare(
            &actor.username,
            &input,
            Some(&stored),
            endpoint_changed,
            key_comment(&fields.name),
            &mut errors,
        )
        .await?;

        let mut row = stored.clone().into_active_model();
        row.name = Set(fields.name.clone());
        row.host = Set(fields.host.clone());
        row.port = Set(fields.port as i32);
        row.username = Set(fields.username.clone());
        row.auth_type = Set(fields.auth_type.as_str().to_owned());
        row.updated_at = Set(OffsetDateTime::now_utc());
        let target = secrets::Target {
            id,
            auth: fields.auth_type,
            endpoint: &endpoint,
            endpoint_changed,
        };
        let secret_changes = secrets::apply(&mut row, target, Some(&stored), &new, &self.vault)?;
        let saved = row
            .update(&self.db)
            .await
            .map_err(|e| unique_name(e, &fields.name))?;

        let detail = changes::describe_update(&view(&stored), &fields, &secret_changes);
        self.audit(actor, AuditAction::DeviceUpdated, id, detail)
            .await?;
        self.audit_generated(actor, &saved, &new).await?;
        Ok(view(&saved))
    }

    /// Replaces the device's key with a new server-generated one and switches it to key auth.
    pub async fn generate_key(
        &self,
        actor: &Actor,
        id: i64,
        algorithm: KeyAlgorithm,
    ) -> Result<DeviceView, DeviceError> {
        let current = self.get(id).await?;
        let input = DeviceInput {
            fields: DeviceFields {
                auth_type: SshAuthType::PrivateKey,
                ..current.fields()
            },
            password: None,
            key: KeyInput::Generate { algorithm },
        };
        self.update(actor, id, input).await
    }

    pub async fn delete(&self, actor: &Actor, id: i64) -> Result<(), DeviceError> {
        let stored = self.row(id).await?;
        device::Entity::delete_by_id(id).exec(&self.db).await?;
        let detail = format!(
            "Deleted device {} ({}@{})",
            stored.name,
            stored.username,
            endpoint(&stored.host, port(&stored))
        );
        self.audit(actor, AuditAction::DeviceDeleted, id, detail)
            .await
    }

    /// The decrypted secrets, for connecting. A changed SECRET_KEY gives `VaultError::Decrypt`.
    pub async fn credentials(
        &self,
        id: i64,
    ) -> Result<(DeviceView, DeviceCredentials), DeviceError> {
        let row = self.row(id).await?;
        let endpoint = secret_endpoint(&row.username, &row.host, port(&row));
        let open = |stored: &Option<String>, field| -> Result<_, VaultError> {
            stored
                .as_deref()
                .map(|c| {
                    self.vault.decrypt(
                        c,
                        Binding {
                            table: "devices",
                            row_id: id,
                            field,
                            endpoint: &endpoint,
                        },
                    )
                })
                .transpose()
        };
        let creds = DeviceCredentials {
            password: open(&row.password_enc, "password")?,
            private_key: open(&row.private_key_enc, "private_key")?,
            passphrase: open(&row.passphrase_enc, "passphrase")?,
        };
        Ok((view(&row), creds))
    }

    /// The host key trusted for the device's host and port, if one was learned.
    pub async fn host_key(&self, id: i64) -> Result<Option<HostKeyView>, DeviceError> {
        let row = self.row(id).await?;
        Ok(self.host_keys.lookup(&row.host, port(&row)).await?)
    }

    pub async fn forget_host_key(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<Option<HostKeyView>, DeviceError> {
        let row = self.row(id).await?;
        Ok(self
            .host_keys
            .forget(actor, Some(id), &row.name, &row.host, port(&row))
            .await?)
    }

    async fn audit(
        &self,
        actor: &Actor,
        action: AuditAction,
        device_id: i64,
        detail: String,
    ) -> Result<(), DeviceError> {
        self.auditor
            .record_durable(actor.event(action, detail).device(device_id))
            .await?;
        Ok(())
    }

    async fn audit_generated(
        &self,
        actor: &Actor,
        saved: &device::Model,
        new: &secrets::NewSecrets,
    ) -> Result<(), DeviceError> {
        if let Some((algorithm, fingerprint)) = new.key.as_ref().and_then(|k| k.generated.as_ref())
        {
            let detail = format!(
                "Generated {} key for {}: {fingerprint}",
                algorithm.label(),
                saved.name
            );
            self.audit(actor, AuditAction::KeyGenerated, saved.id, detail)
                .await?;
        }
        Ok(())
    }
}

fn trimmed(fields: &DeviceFields) -> DeviceFields {
    DeviceFields {
        name: fields.name.trim().to_owned(),
        host: fields.host.trim().to_owned(),
        port: fields.port,
        username: fields.username.trim().to_owned(),
        auth_type: fields.auth_type,
    }
}

fn key_comment(device_name: &str) -> String {
    let safe: String = device_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("cloudshell@{safe}")
}

fn name_taken(name: &str) -> FieldError {
    FieldError {
        field: "name".to_owned(),
        message: format!("A device named \"{name}\" already exists."),
    }
}

/// A concurrent create or rename that won the race still gets a field error, not a 500.
fn unique_name(err: DbErr, name: &str) -> DeviceError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => DeviceError::Invalid(vec![name_taken(name)]),
        _ => DeviceError::Db(err),
    }
}

fn port(row: &device::Model) -> u32 {
    row.port.max(0) as u32
}

fn view(row: &device::Model) -> DeviceView {
    DeviceView {
        id: row.id,
        name: row.name.clone(),
        host: row.host.clone(),
        port: port(row),
        username: row.username.clone(),
        // Only this code writes the column; an unknown value would be a newer version's.
        auth_type: SshAuthType::parse(&row.auth_type).unwrap_or(SshAuthType::KeyboardInteractive),
        has_password: row.password_enc.is_some(),
        has_key: row.private_key_enc.is_some(),
        public_key: row.public_key.clone(),
    }
}
