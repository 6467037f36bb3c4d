//! Reading the log: keyset pages (never OFFSET), filters, and the total for a filter.

use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::AuditError;
use super::event::{from_micros, to_micros};
use crate::db::entities::audit_log::{self, Column};
use crate::models::audit::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use crate::models::{
    AuditAction, AuditEntry, AuditFilter, AuditOutcome, AuditPage, AuditReason, PageCursor,
};

impl From<audit_log::Model> for AuditEntry {
    fn from(row: audit_log::Model) -> Self {
        AuditEntry {
            id: row.id,
            ts: from_micros(row.ts_micros),
            username: row.username,
            action: AuditAction::parse(&row.action),
            source_ip: row.source_ip,
            detail: row.detail,
            device_id: row.device_id,
            session_id: row.session_id,
            outcome: row.outcome.as_deref().and_then(AuditOutcome::parse),
            reason: row.reason.map(AuditReason::from),
        }
    }
}

/// The SQL condition for a filter.
pub fn condition(filter: &AuditFilter) -> Result<Condition, AuditError> {
    let mut cond = Condition::all();
    if let Some(user) = filter
        .user
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        cond = cond.add(Column::Username.eq(user));
    }
    let actions: Vec<&str> = filter
        .actions
        .iter()
        .map(|a| a.trim())
        .filter(|a| !a.is_empty())
        .collect();
    if actions.len() > 64 {
        return Err(AuditError::InvalidFilter("too many actions"));
    }
    if !actions.is_empty() {
        cond = cond.add(Column::Action.is_in(actions));
    }
    if let Some(ip) = filter
        .ip
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let ip = ip
            .parse::<std::net::IpAddr>()
            .map_err(|_| AuditError::InvalidFilter("the IP filter is not an IP address"))?;
        cond = cond.add(Column::SourceIp.eq(crate::client_ip::normalize(ip).to_string()));
    }
    if let Some(from) = filter.from {
        cond = cond.add(Column::TsMicros.gte(to_micros(from)));
    }
    if let Some(to) = filter.to {
        cond = cond.add(Column::TsMicros.lt(to_micros(to)));
    }
    if let Some(text) = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if text.len() > 200 {
            return Err(AuditError::InvalidFilter("the search text is too long"));
        }
        let escaped = text
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        cond = cond.add(
            Expr::expr(Func::lower(Expr::col(Column::Detail)))
                .like(LikeExpr::new(format!("%{escaped}%")).escape('\\')),
        );
    }
    Ok(cond)
}

/// Clamps a requested page size into 1..=MAX_PAGE_SIZE (0 means the default).
pub fn page_size(requested: u32) -> u64 {
    u64::from(match requested {
        0 => DEFAULT_PAGE_SIZE,
        n => Ord::min(n, MAX_PAGE_SIZE),
    })
}

/// One page, newest first, with cursors to the neighbouring pages and the filter's total.
pub async fn page(
    db: &DatabaseConnection,
    filter: &AuditFilter,
    cursor: PageCursor,
    limit: u32,
) -> Result<AuditPage, AuditError> {
    let cond = condition(filter)?;
    let limit = page_size(limit);
    let base = audit_log::Entity::find().filter(cond.clone());
    let mut rows = match cursor {
        PageCursor::Newest => base.order_by_desc(Column::Id).limit(limit).all(db).await?,
        PageCursor::Before(id) => {
            base.filter(Column::Id.lt(id))
                .order_by_desc(Column::Id)
                .limit(limit)
                .all(db)
                .await?
        }
        PageCursor::After(id) => {
            let mut rows = base
                .filter(Column::Id.gt(id))
                .order_by_asc(Column::Id)
                .limit(limit)
                .all(db)
                .await?;
            rows.reverse();
            rows
        }
    };
    // A short "newer" page at the top is topped up, so Newer never shows a half-empty page.
    if matches!(cursor, PageCursor::After(_)) && (rows.len() as u64) < limit {
        return Box::pin(page(db, filter, PageCursor::Newest, limit as u32)).await;
    }
    let (newest, oldest) = (rows.first().map(|r| r.id), rows.last().map(|r| r.id));
    let older_cursor = match oldest {
        Some(id) if exists(db, cond.clone().add(Column::Id.lt(id))).await? => Some(id),
        _ => None,
    };
    let newer_cursor = match newest {
        Some(id) if exists(db, cond.clone().add(Column::Id.gt(id))).await? => Some(id),
        _ => None,
    };
    let total = if filter_is_empty(filter) {
        unfiltered_total(db).await?
    } else {
        audit_log::Entity::find().filter(cond).count(db).await?
    };
    Ok(AuditPage {
        entries: rows.drain(..).map(AuditEntry::from).collect(),
        older_cursor,
        newer_cursor,
        total,
    })
}

fn filter_is_empty(f: &AuditFilter) -> bool {
    let blank = |s: &Option<String>| s.as_deref().is_none_or(|v| v.trim().is_empty());
    blank(&f.user)
        && f.actions.iter().all(|a| a.trim().is_empty())
        && blank(&f.ip)
        && f.from.is_none()
        && f.to.is_none()
        && blank(&f.text)
}

/// Ids are consecutive (the writer assigns them; retention only removes a prefix; verify
/// checks both), so the row count is `max - min + 1`: two index lookups instead of a scan.
async fn unfiltered_total(db: &DatabaseConnection) -> Result<u64, AuditError> {
    // Two single-ended lookups: SQLite only short-cuts MIN or MAX when it is alone.
    let end = |newest: bool| {
        let q = audit_log::Entity::find().select_only().column(Column::Id);
        let q = if newest {
            q.order_by_desc(Column::Id)
        } else {
            q.order_by_asc(Column::Id)
        };
        q.limit(1).into_tuple::<i64>().one(db)
    };
    Ok(match (end(false).await?, end(true).await?) {
        (Some(lo), Some(hi)) if hi >= lo => (hi - lo + 1) as u64,
        _ => 0,
    })
}

async fn exists(db: &DatabaseConnection, cond: Condition) -> Result<bool, AuditError> {
    Ok(audit_log::Entity::find()
        .filter(cond)
        .select_only()
        .column(Column::Id)
        .limit(1)
        .into_tuple::<i64>()
        .one(db)
        .await?
        .is_some())
}

/// Entries older than `before` (or the newest), for streaming exports chunk by chunk.
pub async fn chunk(
    db: &DatabaseConnection,
    cond: Condition,
    before: Option<i64>,
    size: u64,
) -> Result<Vec<AuditEntry>, AuditError> {
    let mut q = audit_log::Entity::find().filter(cond);
    if let Some(id) = before {
        q = q.filter(Column::Id.lt(id));
    }
    Ok(q.order_by_desc(Column::Id)
        .limit(size)
        .all(db)
        .await?
        .into_iter()
        .map(AuditEntry::from)
        .collect())
}
