//! Web authentication: users, argon2id passwords and server-side sessions.

mod change_password;
pub mod cookie;
mod error;
mod login;
mod my_sessions;
pub mod password;
pub mod throttle;
pub mod token;
mod web_sessions;

use std::net::IpAddr;
use std::sync::Arc;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    Set,
};
use time::{Duration, OffsetDateTime};
use tokio::sync::OnceCell;

pub use error::AuthError;
pub use password::MIN_PASSWORD_CHARS;

use crate::audit::{AuditEvent, Auditor};
use crate::db::entities::{user, web_session};
use crate::models::{AuditAction, AuditOutcome, Role, SessionInfo};
use crate::secret::SecretString;

/// Name of the session cookie. Its value is the token; only the token's hash is stored.
pub const SESSION_COOKIE: &str = "cloudshell_session";

/// Activity extends a session at most this often, so every request is not a write.
const REFRESH_EVERY: Duration = Duration::minutes(1);

/// Usernames: 1–64 characters of letters, digits and `._@-`.
pub fn validate_username(name: &str) -> Result<(), &'static str> {
    if name.is_empty() || name.chars().count() > crate::validation::MAX_USERNAME_CHARS {
        return Err("must be 1 to 64 characters");
    }
    if !name.chars().all(crate::validation::is_username_char) {
        return Err("may contain only letters, digits and . _ @ -");
    }
    Ok(())
}

/// The authenticated caller of a request, put into the request's extensions by the server.
#[derive(Debug, Clone)]
pub struct CurrentSession {
    pub session_id: i64,
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub expires_at: OffsetDateTime,
    pub must_change_password: bool,
    /// When the account was created: an operator's "own entries" start here, so a new
    /// account that reuses a deleted one's name does not read that one's entries.
    pub account_created_at: OffsetDateTime,
}

impl CurrentSession {
    /// Narrows an audit filter to what this caller may read: everything for an admin or
    /// an auditor; for an operator, their own entries since their account was created.
    pub fn audit_scope(&self, filter: &mut crate::models::AuditFilter) {
        if self.role.reads_whole_audit_log() {
            return;
        }
        filter.user = Some(self.username.clone());
        filter.from = Some(filter.from.map_or(self.account_created_at, |from| {
            from.max(self.account_created_at)
        }));
    }
    pub fn info(&self) -> SessionInfo {
        SessionInfo {
            username: self.username.clone(),
            role: self.role,
            expires_at: self.expires_at,
            must_change_password: self.must_change_password,
        }
    }
}

/// A session just created by a login: the token goes into the cookie and nowhere else.
#[derive(Debug)]
pub struct NewSession {
    pub token: SecretString,
    pub info: SessionInfo,
}

#[derive(Clone)]
pub struct AuthService {
    db: DatabaseConnection,
    auditor: Auditor,
    ttl: Duration,
    /// The absolute lifetime: no activity extends a session past `created_at + max_age`.
    max_age: Duration,
    /// A hash to verify against when the username is unknown, so that case costs the same time.
    dummy_hash: Arc<OnceCell<String>>,
    throttle: throttle::LoginThrottle,
    argon2: password::Argon2Pool,
    /// Where a generated first password was written; deleted once it has been replaced.
    initial_password_file: Option<Arc<std::path::Path>>,
}

impl AuthService {
    pub fn new(db: DatabaseConnection, auditor: Auditor, ttl_hours: u32) -> Self {
        Self {
            db,
            auditor,
            ttl: Duration::hours(i64::from(ttl_hours)),
            max_age: Duration::hours(24),
            dummy_hash: Arc::new(OnceCell::new()),
            throttle: throttle::LoginThrottle::default(),
            argon2: password::Argon2Pool::for_this_machine(),
            initial_password_file: None,
        }
    }

    pub fn with_initial_password_file(mut self, path: std::path::PathBuf) -> Self {
        self.initial_password_file = Some(path.into());
        self
    }

    /// SESSION_MAX_HOURS: how long a session may live at most, however active.
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// When a session created at `created_at` and active at `now` expires: the sliding
    /// expiry, cut at the absolute lifetime.
    pub(crate) fn expiry(&self, created_at: OffsetDateTime, now: OffsetDateTime) -> OffsetDateTime {
        (now + self.ttl).min(created_at + self.max_age)
    }

    /// Other throttle numbers (tests shorten the blocks).
    pub fn with_throttle_limits(mut self, limits: throttle::Limits) -> Self {
        self.throttle = throttle::LoginThrottle::new(limits);
        self
    }

    /// Another bound on concurrent password hashing.
    pub fn with_argon2_pool(mut self, pool: password::Argon2Pool) -> Self {
        self.argon2 = pool;
        self
    }

    /// Records one LOGIN_BLOCKED per block that ended with attempts refused during it. The
    /// server calls this periodically; refusals themselves never touch the database.
    pub async fn report_blocks(&self) {
        for report in self.throttle.take_reports(std::time::Instant::now()) {
            let scope = if report.whole_address {
                "this address"
            } else {
                "this username from this address"
            };
            let detail = if report.blocked_for.is_zero() {
                format!(
                    "Refused {} login attempt(s) while earlier attempts from {scope} were \
                     still being checked",
                    report.refused
                )
            } else {
                format!(
                    "Refused {} login attempt(s) while {scope} was blocked for {}s",
                    report.refused,
                    report.blocked_for.as_secs()
                )
            };
            self.auditor
                .record(
                    AuditEvent::new(report.username, AuditAction::LoginBlocked, detail)
                        .reason(crate::models::AuditReason::TooManyAttempts)
                        .ip(report.ip)
                        .outcome(AuditOutcome::Failure),
                )
                .await;
        }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Creates the admin account on first start; existing users are kept. Without a given
    /// password one is generated and handed to `keep` *before* the account exists (startup
    /// writes it to a 0600 file), so a crash can never leave an admin whose password is
    /// nowhere; that account must replace it at its first sign-in. Returns whether a password
    /// was generated.
    pub async fn ensure_admin(
        &self,
        username: &str,
        password: Option<SecretString>,
        keep: impl FnOnce(&SecretString) -> std::io::Result<()>,
    ) -> Result<bool, AuthError> {
        if user::Entity::find().count(&self.db).await? > 0 {
            return Ok(false);
        }
        let (password, generated) = match password {
            Some(p) => (p, false),
            None => (token::generate_password(), true),
        };
        if generated {
            keep(&password).map_err(|e| AuthError::Hash(format!("keeping the password: {e}")))?;
        }
        self.create_user_with(username, password, Role::Admin, generated)
            .await?;
        Ok(generated)
    }

    pub async fn create_user(
        &self,
        username: &str,
        password: SecretString,
        role: Role,
    ) -> Result<user::Model, AuthError> {
        self.create_user_with(username, password, role, false).await
    }

    async fn create_user_with(
        &self,
        username: &str,
        password: SecretString,
        role: Role,
        must_change_password: bool,
    ) -> Result<user::Model, AuthError> {
        validate_username(username).map_err(AuthError::Invalid)?;
        let now = OffsetDateTime::now_utc();
        let hash = self.argon2.hash(password).await?;
        let model = user::ActiveModel {
            username: Set(username.to_owned()),
            password_hash: Set(hash),
            role: Set(role.as_str().to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
            must_change_password: Set(must_change_password),
            disabled: Set(false),
            last_login_at: Set(None),
            ..Default::default()
        };
        Ok(model.insert(&self.db).await?)
    }

    /// Resolves a cookie token to its session. With `touch`, activity slides the expiry forward.
    pub async fn authenticate(
        &self,
        token: &str,
        touch: bool,
    ) -> Result<CurrentSession, AuthError> {
        let found = web_session::Entity::find()
            .filter(web_session::Column::TokenHash.eq(token::hash(token)))
            .find_also_related(user::Entity)
            .one(&self.db)
            .await?;
        let Some((session, Some(user))) = found else {
            return Err(AuthError::Unauthenticated);
        };
        // Disabling deletes the account's sessions too; this covers a session that raced it.
        let Some(role) = Role::parse(&user.role).filter(|_| !user.disabled) else {
            return Err(AuthError::Unauthenticated);
        };
        let now = OffsetDateTime::now_utc();
        if session.expires_at <= now || session.created_at + self.max_age <= now {
            web_session::Entity::delete_by_id(session.id)
                .exec(&self.db)
                .await?;
            return Err(AuthError::Unauthenticated);
        }
        let mut expires_at = session.expires_at.min(session.created_at + self.max_age);
        let extended = self.expiry(session.created_at, now);
        if touch && extended - expires_at >= REFRESH_EVERY {
            expires_at = extended;
            let mut active: web_session::ActiveModel = session.clone().into();
            active.expires_at = Set(expires_at);
            active.update(&self.db).await?;
        }
        Ok(CurrentSession {
            session_id: session.id,
            user_id: user.id,
            username: user.username,
            role,
            expires_at,
            must_change_password: user.must_change_password,
            account_created_at: user.created_at,
        })
    }

    /// Revokes one session server-side: its cookie stops working at once.
    pub async fn logout(
        &self,
        session: &CurrentSession,
        client_ip: IpAddr,
    ) -> Result<(), AuthError> {
        web_session::Entity::delete_by_id(session.session_id)
            .exec(&self.db)
            .await?;
        // On disk before the answer: a kill right after cannot lose it.
        self.auditor
            .record_durable(
                AuditEvent::new(&session.username, AuditAction::Logout, "User logged out")
                    .ip(client_ip)
                    .outcome(AuditOutcome::Success),
            )
            .await?;
        Ok(())
    }

    /// An argon2id hash of `password`, through the same bounded pool as sign-ins.
    pub(crate) async fn hash_password(&self, password: SecretString) -> Result<String, AuthError> {
        self.argon2.hash(password).await
    }

    pub(crate) async fn delete_expired(&self, now: OffsetDateTime) -> Result<(), AuthError> {
        web_session::Entity::delete_many()
            .filter(web_session::Column::ExpiresAt.lte(now))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    pub(crate) async fn dummy_hash(&self) -> Result<String, AuthError> {
        self.dummy_hash
            .get_or_try_init(|| self.argon2.hash(token::generate_password()))
            .await
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_validated() {
        assert!(validate_username("admin").is_ok());
        assert!(validate_username("ops.team-1@site").is_ok());
        assert!(validate_username("").is_err());
        assert!(validate_username("a b").is_err());
        assert!(validate_username(&"x".repeat(65)).is_err());
    }
}
