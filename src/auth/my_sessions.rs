//! "My account": the caller's signed-in browsers and open sessions, and signing out the
//! other browsers.

use std::net::IpAddr;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use time::OffsetDateTime;

use super::{AuthError, AuthService, CurrentSession};
use crate::audit::AuditEvent;
use crate::db::entities::{terminal_session, web_session};
use crate::models::{AuditAction, AuditOutcome, MySessions, OpenSessionView, WebSessionView};

/// At most this many of each are listed; a user with more has bigger problems than a list.
const MAX_LISTED: u64 = 200;

impl AuthService {
    /// The caller's live web sessions (newest first) and their open terminals and file
    /// sessions on every server.
    pub async fn my_sessions(&self, me: &CurrentSession) -> Result<MySessions, AuthError> {
        use sea_orm::QuerySelect;
        let now = OffsetDateTime::now_utc();
        let web = web_session::Entity::find()
            .filter(web_session::Column::UserId.eq(me.user_id))
            .filter(web_session::Column::ExpiresAt.gt(now))
            .order_by_desc(web_session::Column::CreatedAt)
            .limit(MAX_LISTED)
            .all(&self.db)
            .await?
            .into_iter()
            .filter(|s| s.created_at + self.max_age > now)
            .map(|s| WebSessionView {
                current: s.id == me.session_id,
                id: s.id,
                created_at: s.created_at,
                expires_at: s.expires_at.min(s.created_at + self.max_age),
                client_ip: s.client_ip,
            })
            .collect();
        let open = terminal_session::Entity::find()
            .filter(terminal_session::Column::Username.eq(&me.username))
            .filter(terminal_session::Column::EndedAt.is_null())
            .order_by_desc(terminal_session::Column::StartedAt)
            .limit(MAX_LISTED)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|t| OpenSessionView {
                id: t.id,
                kind: t.kind,
                device_name: t.device_name,
                endpoint: t.endpoint,
                client_ip: t.client_ip,
                started_at: t.started_at,
            })
            .collect();
        Ok(MySessions { web, open })
    }

    /// Signs out every other browser of the caller; their terminals end as their web
    /// sessions do (on every server). Returns how many were signed out.
    pub async fn sign_out_others(
        &self,
        me: &CurrentSession,
        client_ip: IpAddr,
    ) -> Result<u64, AuthError> {
        let ended = web_session::Entity::delete_many()
            .filter(web_session::Column::UserId.eq(me.user_id))
            .filter(web_session::Column::Id.ne(me.session_id))
            .exec(&self.db)
            .await?
            .rows_affected;
        self.auditor
            .record_durable(
                AuditEvent::new(
                    &me.username,
                    AuditAction::Logout,
                    format!("Signed out {ended} other session(s)"),
                )
                .ip(client_ip)
                .outcome(AuditOutcome::Success),
            )
            .await?;
        Ok(ended)
    }
}
