//! Password change: verify, enforce the policy, store, revoke the user's other sessions.

use std::net::IpAddr;
use std::time::Instant;

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use time::OffsetDateTime;

use super::{AuthError, AuthService, CurrentSession};
use crate::audit::AuditEvent;
use crate::db::entities::{user, web_session};
use crate::models::{AuditAction, AuditOutcome, AuditReason};
use crate::secret::SecretString;
use crate::validation::check_new_password;

impl AuthService {
    /// Changes the caller's password. On success every other web session of the user is
    /// revoked and the current one kept. Success and failure are on disk before returning.
    pub async fn change_password(
        &self,
        session: &CurrentSession,
        current: SecretString,
        new: SecretString,
        confirm: SecretString,
        client_ip: IpAddr,
    ) -> Result<(), AuthError> {
        // Guesses of the current password share the login throttle.
        let attempt = self
            .throttle
            .begin(client_ip, &session.username, Instant::now())
            .map_err(|wait| AuthError::Blocked {
                retry_after_secs: wait.as_secs().max(1),
            })?;
        if !attempt.delay.is_zero() {
            tokio::time::sleep(attempt.delay).await;
        }
        let result = self
            .try_change_password(session, &current, &new, &confirm)
            .await;
        // Other errors (database, busy) drop the attempt: it does not count.
        match &result {
            Err(AuthError::WrongPassword) => {
                attempt.failed(Instant::now());
            }
            Ok(_) | Err(AuthError::Policy(_)) => attempt.succeeded(),
            Err(_) => {}
        }
        if result.is_ok()
            && session.must_change_password
            && let Some(file) = &self.initial_password_file
        {
            // The generated password no longer works: its file goes too.
            let _ = std::fs::remove_file(file);
        }
        let (action, outcome, reason, detail) = match &result {
            Ok(revoked) => (
                AuditAction::PasswordChanged,
                AuditOutcome::Success,
                None,
                match revoked {
                    0 => "Changed password".to_owned(),
                    n => format!("Changed password; signed out {n} other session(s)"),
                },
            ),
            Err(AuthError::WrongPassword) => (
                AuditAction::PasswordChangeFailed,
                AuditOutcome::Failure,
                Some(AuditReason::WrongCurrentPassword),
                "Wrong current password".to_owned(),
            ),
            Err(AuthError::Policy(p)) => (
                AuditAction::PasswordChangeFailed,
                AuditOutcome::Failure,
                Some(AuditReason::PasswordPolicy),
                p.to_string(),
            ),
            // Infrastructure errors are logged by the caller, not recorded as user actions.
            Err(_) => return result.map(|_| ()),
        };
        let mut event = AuditEvent::new(&session.username, action, detail)
            .ip(client_ip)
            .outcome(outcome);
        event.reason = reason;
        self.auditor.record_durable(event).await?;
        result.map(|_| ())
    }

    /// Returns how many other sessions were revoked.
    async fn try_change_password(
        &self,
        session: &CurrentSession,
        current: &SecretString,
        new: &SecretString,
        confirm: &SecretString,
    ) -> Result<u64, AuthError> {
        let user = user::Entity::find_by_id(session.user_id)
            .one(&self.db)
            .await?
            .ok_or(AuthError::Unauthenticated)?;
        if !self
            .argon2
            .verify(current.clone(), user.password_hash.clone())
            .await?
        {
            return Err(AuthError::WrongPassword);
        }
        check_new_password(current.expose(), new.expose(), confirm.expose())?;
        let hash = self.argon2.hash(new.clone()).await?;
        let mut active: user::ActiveModel = user.into();
        active.password_hash = Set(hash);
        active.must_change_password = Set(false);
        active.updated_at = Set(OffsetDateTime::now_utc());
        active.update(&self.db).await?;
        let revoked = web_session::Entity::delete_many()
            .filter(web_session::Column::UserId.eq(session.user_id))
            .filter(web_session::Column::Id.ne(session.session_id))
            .exec(&self.db)
            .await?
            .rows_affected;
        Ok(revoked)
    }
}
