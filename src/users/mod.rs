//! User accounts as an admin manages them: list, create with a temporary password, change
//! role or groups, reset the password, disable, enable, delete. Each change is audited. The
//! last active admin can be neither demoted, disabled nor deleted.
//!
//! Ending a user's web sessions is done here (they are rows); ending their terminals is the
//! caller's (the registry and the replicas' revocations live with the server).

mod changes;
pub use changes::Changed;
mod error;
pub mod groups;
mod queries;

use std::sync::Arc;

use sea_orm::{ActiveModelTrait, DatabaseConnection, Set, TransactionTrait};
use time::OffsetDateTime;

pub use error::UserError;

use crate::audit::{Actor, Auditor};
use crate::auth::{AuthService, token, validate_username};
use crate::db::entities::user;
use crate::models::users::{NewUser, TemporaryPassword, UserView};
use crate::models::{AuditAction, AuditOutcome};

#[derive(Clone)]
pub struct UserService {
    db: DatabaseConnection,
    auditor: Auditor,
    auth: AuthService,
    /// Serialises changes in this process; PostgreSQL row locks cover other replicas.
    changes: Arc<tokio::sync::Mutex<()>>,
}

impl UserService {
    pub fn new(db: DatabaseConnection, auditor: Auditor, auth: AuthService) -> Self {
        Self {
            db,
            auditor,
            auth,
            changes: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// Every account, sorted by name, with its groups.
    pub async fn list(&self) -> Result<Vec<UserView>, UserError> {
        queries::user_views(&self.db, None).await
    }

    pub async fn get(&self, id: i64) -> Result<UserView, UserError> {
        queries::user_views(&self.db, Some(id))
            .await?
            .pop()
            .ok_or(UserError::NotFound)
    }

    /// Looks an account up by name (the CLI's way in).
    pub async fn find(&self, username: &str) -> Result<UserView, UserError> {
        let found = queries::by_name(&self.db, username)
            .await?
            .ok_or(UserError::NotFound)?;
        self.get(found.id).await
    }

    /// Creates an account with a generated temporary password, which it must replace at its
    /// first sign-in. The password is returned once and stored only as a hash.
    pub async fn create(
        &self,
        actor: &Actor,
        input: NewUser,
    ) -> Result<TemporaryPassword, UserError> {
        let username = input.username.trim().to_owned();
        validate_username(&username).map_err(|m| UserError::Invalid("username", m))?;
        if username.eq_ignore_ascii_case(crate::audit::CLI_USER) {
            return Err(UserError::Invalid(
                "username",
                "is reserved for the command line",
            ));
        }
        // Groups give devices to operators only (see `update`).
        let wanted: &[i64] = if input.role == crate::models::Role::Operator {
            &input.groups
        } else {
            &[]
        };
        let _guard = self.changes.lock().await;
        if queries::by_name(&self.db, &username).await?.is_some() {
            return Err(UserError::Invalid("username", "is already taken"));
        }
        let groups = queries::existing_groups(&self.db, wanted).await?;
        let password = token::generate_password();
        let hash = self.auth.hash_password(password.clone()).await?;
        let now = OffsetDateTime::now_utc();
        // The account and its groups together, or neither.
        let txn = self.db.begin().await?;
        let created = user::ActiveModel {
            username: Set(username.clone()),
            password_hash: Set(hash),
            role: Set(input.role.as_str().to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
            must_change_password: Set(true),
            disabled: Set(false),
            last_login_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| {
            if queries::is_duplicate(&e) {
                UserError::Invalid("username", "is already taken")
            } else {
                e.into()
            }
        })?;
        queries::set_groups(&txn, created.id, &groups).await?;
        txn.commit().await?;
        let view = self.get(created.id).await?;
        let mut detail = format!("Created user {username} with role {}", input.role.as_str());
        if !view.groups.is_empty() {
            detail.push_str(&format!("; groups: {}", names(&view.groups)));
        }
        self.auditor
            .record_durable(
                actor
                    .event(AuditAction::UserCreated, detail)
                    .outcome(AuditOutcome::Success),
            )
            .await
            .map_err(crate::auth::AuthError::from)?;
        Ok(TemporaryPassword {
            user: view,
            password,
        })
    }

    /// A new temporary password for the account, which must replace it at its next sign-in.
    /// Its web sessions end; the caller ends its terminals.
    pub async fn reset_password(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<TemporaryPassword, UserError> {
        let _guard = self.changes.lock().await;
        let found = queries::by_id(&self.db, id)
            .await?
            .ok_or(UserError::NotFound)?;
        let password = token::generate_password();
        let hash = self.auth.hash_password(password.clone()).await?;
        let mut active: user::ActiveModel = found.clone().into();
        active.password_hash = Set(hash);
        active.must_change_password = Set(true);
        active.updated_at = Set(OffsetDateTime::now_utc());
        active.update(&self.db).await?;
        let ended = queries::end_web_sessions(&self.db, id).await?;
        let detail = format!(
            "Reset the password of {} (temporary; signed out {ended} session(s))",
            found.username
        );
        self.auditor
            .record_durable(
                actor
                    .event(AuditAction::PasswordReset, detail)
                    .outcome(AuditOutcome::Success),
            )
            .await
            .map_err(crate::auth::AuthError::from)?;
        Ok(TemporaryPassword {
            user: self.get(id).await?,
            password,
        })
    }
}

/// "a, b, c" of some names.
fn names(items: &[crate::models::users::NamedId]) -> String {
    items
        .iter()
        .map(|n| n.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
