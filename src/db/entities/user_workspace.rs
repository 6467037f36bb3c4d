use sea_orm::entity::prelude::*;

/// A user's terminal workspace: the layout and the terminal settings, as JSON (see
/// `models::workspace` and `models::terminal_settings`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_workspaces")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    pub layout: String,
    pub updated_micros: i64,
    /// JSON of `models::terminal_settings::TerminalSettings`; none: the defaults.
    pub terminal_settings: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
