use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
    /// Set for a generated first password: the account must choose its own to go on.
    pub must_change_password: bool,
    /// A disabled account cannot sign in, and its sessions end when it is disabled.
    pub disabled: bool,
    pub last_login_at: Option<TimeDateTimeWithTimeZone>,
}

// The hash is not a password, but it is still nobody's business in a log.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("role", &self.role)
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::web_session::Entity")]
    WebSession,
}

impl Related<super::web_session::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::WebSession.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
