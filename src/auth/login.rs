//! Login: throttled, timing-equalised, and audited before the answer goes out.

use std::net::IpAddr;
use std::time::Instant;

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use time::OffsetDateTime;

use super::throttle::Attempt;
use super::{AuthError, AuthService, NewSession, token};
use crate::audit::AuditEvent;
use crate::db::entities::{user, web_session};
use crate::models::{AuditAction, AuditOutcome, AuditReason, Role, SessionInfo};
use crate::secret::SecretString;

/// The name as typed, bounded, so a huge or odd username cannot bloat the log.
fn bounded(username: &str) -> String {
    username.chars().take(64).collect()
}

impl AuthService {
    /// Checks the credentials and opens a session. Unknown users and wrong passwords give the
    /// same error after the same amount of work. Both outcomes are audited before answering.
    pub async fn login(
        &self,
        username: &str,
        password: SecretString,
        client_ip: IpAddr,
    ) -> Result<NewSession, AuthError> {
        // Counted before any work: a refusal costs no database and no argon2.
        let attempt = self
            .throttle
            .begin(client_ip, username, Instant::now())
            .map_err(|wait| AuthError::Blocked {
                retry_after_secs: wait.as_secs().max(1),
            })?;
        if !attempt.delay.is_zero() {
            tokio::time::sleep(attempt.delay).await;
        }
        let found = user::Entity::find()
            .filter(user::Column::Username.eq(username))
            .one(&self.db)
            .await?;
        let user = match found {
            Some(user) => {
                if self
                    .argon2
                    .verify(password, user.password_hash.clone())
                    .await?
                {
                    user
                } else {
                    return self
                        .login_failed(attempt, username, AuditReason::WrongPassword, client_ip)
                        .await;
                }
            }
            None => {
                let dummy = self.dummy_hash().await?;
                self.argon2.verify(password, dummy).await?;
                return self
                    .login_failed(attempt, username, AuditReason::UnknownUser, client_ip)
                    .await;
            }
        };
        // Only now, with the password right, does the answer say more than "invalid".
        if user.disabled {
            // Still a failed attempt, so a disabled account cannot test passwords faster.
            return self
                .login_failed(
                    attempt,
                    &user.username,
                    AuditReason::AccountDisabled,
                    client_ip,
                )
                .await
                .map_err(|e| match e {
                    AuthError::InvalidCredentials => AuthError::Disabled,
                    other => other,
                });
        }
        let Some(role) = Role::parse(&user.role) else {
            tracing::error!(user = %user.username, role = %user.role, "unknown role; sign-in refused");
            return self
                .login_failed(attempt, username, AuditReason::NotAllowed, client_ip)
                .await;
        };
        attempt.succeeded();
        let now = OffsetDateTime::now_utc();
        self.delete_expired(now).await?;
        let mut signed_in: user::ActiveModel = user.clone().into();
        signed_in.last_login_at = Set(Some(now));
        signed_in.update(&self.db).await?;

        let token = token::generate();
        let expires_at = self.expiry(now, now);
        let session = web_session::ActiveModel {
            token_hash: Set(token::hash(token.expose())),
            user_id: Set(user.id),
            created_at: Set(now),
            expires_at: Set(expires_at),
            client_ip: Set(Some(client_ip.to_string())),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        let recorded = self
            .auditor
            .record_durable(
                AuditEvent::new(&user.username, AuditAction::Login, "User logged in")
                    .ip(client_ip)
                    .outcome(AuditOutcome::Success),
            )
            .await;
        if let Err(e) = recorded {
            // Not confirmed: the sign-in is refused, its session goes, and the log (which
            // will still get the LOGIN entry) says why the user was not let in after all.
            web_session::Entity::delete_by_id(session.id)
                .exec(&self.db)
                .await?;
            self.auditor
                .record(
                    AuditEvent::new(
                        &user.username,
                        AuditAction::LoginFailed,
                        "Sign-in refused: the audit log did not confirm it in time",
                    )
                    .reason(AuditReason::AuditDelayed)
                    .ip(client_ip)
                    .outcome(AuditOutcome::Failure),
                )
                .await;
            return Err(e.into());
        }
        Ok(NewSession {
            token,
            info: SessionInfo {
                username: user.username,
                role,
                expires_at,
                must_change_password: user.must_change_password,
            },
        })
    }

    async fn login_failed<T>(
        &self,
        attempt: Attempt,
        username: &str,
        reason: AuditReason,
        client_ip: IpAddr,
    ) -> Result<T, AuthError> {
        let block = attempt.failed(Instant::now());
        // The detail is for people: the reason in words, capitalised; the code has its column.
        let words = reason.text();
        let mut detail: String = words[..1].to_uppercase() + &words[1..];
        if let Some(b) = block {
            detail.push_str(&format!("; further attempts blocked for {}s", b.as_secs()));
        }
        self.auditor
            .record_durable(
                AuditEvent::new(bounded(username), AuditAction::LoginFailed, detail)
                    .reason(reason)
                    .ip(client_ip)
                    .outcome(AuditOutcome::Failure),
            )
            .await?;
        Err(AuthError::InvalidCredentials)
    }
}
