//! Secrets are bound to their device's endpoint (`user@host:port`) in the vault's associated
//! data. Rows written before that (`v1:` ciphertexts, bound to row and field only) are
//! re-encrypted once, at startup, bound to the endpoint they have then.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel, QueryFilter, Set,
};

use super::{DeviceError, DeviceService, port};
use crate::db::entities::device::{self, Column};
use crate::ssh::host_keys::endpoint;
use crate::vault::{Binding, Vault};

/// The endpoint a device's secrets are bound to.
pub(crate) fn secret_endpoint(username: &str, host: &str, port: u32) -> String {
    format!("{username}@{}", endpoint(host, port))
}

impl DeviceService {
    /// Re-encrypts every `v1:` secret bound to its row's endpoint; returns how many rows
    /// changed. A row whose secrets cannot be read (a changed SECRET_KEY) is left as it is
    /// and reported: connecting to it then says the credentials cannot be decrypted.
    pub async fn rebind_v1_secrets(&self) -> Result<usize, DeviceError> {
        let rows = device::Entity::find()
            .filter(
                Condition::any()
                    .add(Column::PasswordEnc.starts_with("v1:"))
                    .add(Column::PrivateKeyEnc.starts_with("v1:"))
                    .add(Column::PassphraseEnc.starts_with("v1:")),
            )
            .all(&self.db)
            .await?;
        let mut changed = 0;
        for row in rows {
            let place = secret_endpoint(&row.username, &row.host, port(&row));
            let rebind = |stored: &Option<String>, field| -> Result<Option<String>, DeviceError> {
                let Some(c) = stored.as_deref().filter(|c| Vault::is_v1(c)) else {
                    return Ok(stored.clone());
                };
                let binding = Binding {
                    table: "devices",
                    row_id: row.id,
                    field,
                    endpoint: &place,
                };
                let plain = self.vault.decrypt_v1(c, binding)?;
                Ok(Some(self.vault.encrypt(&plain, binding)?))
            };
            let rebound = (
                rebind(&row.password_enc, "password"),
                rebind(&row.private_key_enc, "private_key"),
                rebind(&row.passphrase_enc, "passphrase"),
            );
            let (Ok(password), Ok(key), Ok(passphrase)) = rebound else {
                tracing::warn!(
                    device = row.id,
                    "stored credentials could not be re-encrypted; was SECRET_KEY changed?"
                );
                continue;
            };
            let mut active = row.into_active_model();
            active.password_enc = Set(password);
            active.private_key_enc = Set(key);
            active.passphrase_enc = Set(passphrase);
            active.update(&self.db).await?;
            changed += 1;
        }
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, Database, Schema};

    use super::*;
    use crate::secret::SecretString;

    #[tokio::test]
    async fn v1_secrets_are_re_encrypted_bound_to_their_endpoint_once() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("d.db").display());
        let db = Database::connect(url).await.unwrap();
        let schema = Schema::new(db.get_database_backend());
        db.execute(&schema.create_table_from_entity(device::Entity))
            .await
            .unwrap();
        let vault = Vault::new(&SecretString::new("0123456789abcdef0123456789abcdef"));
        let now = time::OffsetDateTime::now_utc();
        let row = device::ActiveModel {
            name: Set("web01".into()),
            host: Set("10.0.0.5".into()),
            port: Set(22),
            username: Set("deploy".into()),
            auth_type: Set("password".into()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&db)
        .await
        .unwrap();
        let binding = |endpoint| Binding {
            table: "devices",
            row_id: row.id,
            field: "password",
            endpoint,
        };
        let mut old = row.clone().into_active_model();
        old.password_enc = Set(Some(vault.encrypt_v1("hunter2", binding(""))));
        old.update(&db).await.unwrap();

        let (auditor, _writer) = crate::audit::spawn(db.clone());
        let service = DeviceService::new(db.clone(), vault.clone(), auditor);
        assert_eq!(service.rebind_v1_secrets().await.unwrap(), 1);
        assert_eq!(service.rebind_v1_secrets().await.unwrap(), 0, "once");
        let stored = device::Entity::find_by_id(row.id)
            .one(&db)
            .await
            .unwrap()
            .unwrap()
            .password_enc
            .unwrap();
        assert!(!Vault::is_v1(&stored));
        assert_eq!(
            vault
                .decrypt(&stored, binding("deploy@10.0.0.5:22"))
                .unwrap(),
            SecretString::new("hunter2")
        );
        assert!(
            vault
                .decrypt(&stored, binding("deploy@10.0.0.6:22"))
                .is_err()
        );
    }
}
