//! Web sessions as terminals see them: which are still valid, and terminal input counted as
//! activity (at most one expiry update a minute per session, within the absolute lifetime).

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter};
use time::OffsetDateTime;

use super::{AuthService, REFRESH_EVERY};
use crate::db::entities::web_session;

impl AuthService {
    /// Of `ids`, those still valid now; with `active`, their expiry slides forward as a
    /// request's would (only when that moves it by a minute or more).
    pub async fn live_web_sessions(&self, ids: &[i64], active: &[i64]) -> Result<Vec<i64>, DbErr> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let now = OffsetDateTime::now_utc();
        let rows = web_session::Entity::find()
            .filter(web_session::Column::Id.is_in(ids.iter().copied()))
            .all(&self.db)
            .await?;
        let mut live = Vec::with_capacity(rows.len());
        let mut slide: HashMap<OffsetDateTime, Vec<i64>> = HashMap::new();
        for row in rows {
            if row.expires_at <= now || row.created_at + self.max_age <= now {
                continue;
            }
            live.push(row.id);
            let extended = self.expiry(row.created_at, now);
            if active.contains(&row.id) && extended - row.expires_at >= REFRESH_EVERY {
                slide.entry(extended).or_default().push(row.id);
            }
        }
        for (expires_at, ids) in slide {
            web_session::Entity::update_many()
                .col_expr(web_session::Column::ExpiresAt, Expr::value(expires_at))
                .filter(web_session::Column::Id.is_in(ids))
                .exec(&self.db)
                .await?;
        }
        Ok(live)
    }
}
