//! `server user …`: account recovery from the server's own machine, with the same
//! environment as the server. For when the last admin is locked out or has forgotten the
//! password. Each change is audited as the user `cli` from 127.0.0.1.

use std::net::{IpAddr, Ipv4Addr};

use anyhow::{Context, bail};
use cloudshell::audit::{self, Actor};
use cloudshell::auth::AuthService;
use cloudshell::config::Config;
use cloudshell::models::Role;
use cloudshell::models::users::{NewUser, TemporaryPassword, UserView};
use cloudshell::terminal::{EndReason, Revocations};
use cloudshell::users::{UserError, UserService};

pub const USAGE: &str = "       server user list       every account: name, role, status, groups
       server user create NAME --role admin|operator|auditor
                              a new account with a temporary password (printed once)
       server user reset-password NAME
                              a new temporary password (printed once); ends its sessions
       server user enable NAME
                              lets a disabled account sign in again";

pub use cloudshell::audit::CLI_USER;

pub enum Command {
    List,
    Create { name: String, role: Role },
    ResetPassword { name: String },
    Enable { name: String },
}

impl Command {
    /// The arguments after `user`, or `None` for a usage error.
    pub fn parse(args: &[&str]) -> Option<Self> {
        Some(match args {
            ["list"] => Command::List,
            ["create", name, "--role", role] => Command::Create {
                name: (*name).to_owned(),
                role: Role::parse(role)?,
            },
            ["reset-password", name] => Command::ResetPassword {
                name: (*name).to_owned(),
            },
            ["enable", name] => Command::Enable {
                name: (*name).to_owned(),
            },
            _ => return None,
        })
    }
}

pub async fn run(config: Config, command: Command) -> anyhow::Result<()> {
    let sqlite = config.database_url.is_none();
    // SQLite's audit chain has one writer, the server: changing accounts beside it would
    // fork the chain. PostgreSQL's writers take a lock, so any number may write.
    // Held until the command is done, so a server started meanwhile knows it is not alone
    // (only SQLite needs it: PostgreSQL's chain writers lock in the database).
    let lock = if sqlite {
        data_dir_lock(&config)?
    } else {
        None
    };
    if sqlite && lock.is_none() {
        bail!(
            "CloudShell is running on this DATA_DIR. With SQLite the audit log has one writer: \
             stop the server, run this again, then start it."
        );
    }
    let (secret_key, _) = crate::secret_key::resolve(config.secret_key.as_ref(), &config.data_dir)
        .context("SECRET_KEY")?;
    let db = crate::startup::open_database(&config).await?;
    let key = std::sync::Arc::new(audit::seal::SealKey::derive(&secret_key));
    let (auditor, writer) = audit::spawn_with(db.clone(), Some(key), None);
    let auth = AuthService::new(db.clone(), auditor.clone(), config.token_ttl_hours);
    let users = UserService::new(db.clone(), auditor.clone(), auth);
    let actor = Actor::new(CLI_USER, IpAddr::V4(Ipv4Addr::LOCALHOST));
    let result = execute(&users, &actor, &db, command).await;
    // The writer stops once every handle to it is gone; the services hold some.
    drop(users);
    writer.shutdown(auditor).await;
    drop(lock);
    result
}

async fn execute(
    users: &UserService,
    actor: &Actor,
    db: &sea_orm::DatabaseConnection,
    command: Command,
) -> anyhow::Result<()> {
    match command {
        Command::List => {
            for user in users.list().await? {
                println!("{}", line(&user));
            }
        }
        Command::Create { name, role } => {
            let input = NewUser {
                username: name,
                role,
                groups: Vec::new(),
            };
            let created = users.create(actor, input).await.map_err(explain)?;
            print_temporary(&created);
        }
        Command::ResetPassword { name } => {
            let user = users.find(&name).await.map_err(explain)?;
            let reset = users
                .reset_password(actor, user.id)
                .await
                .map_err(explain)?;
            // Terminals on every running replica end through a revocation they poll for.
            Revocations::start(db.clone())
                .await?
                .publish(&reset.user.username, EndReason::PasswordChanged)
                .await?;
            print_temporary(&reset);
        }
        Command::Enable { name } => {
            let user = users.find(&name).await.map_err(explain)?;
            let enabled = users
                .set_disabled(actor, user.id, false)
                .await
                .map_err(explain)?;
            println!("enabled: {}", line(&enabled));
        }
    }
    Ok(())
}

fn line(user: &UserView) -> String {
    let groups: Vec<&str> = user.groups.iter().map(|g| g.name.as_str()).collect();
    format!(
        "{}\t{}\t{}{}\tgroups: {}",
        user.username,
        user.role.as_str(),
        if user.disabled { "disabled" } else { "active" },
        if user.must_change_password {
            ", password change pending"
        } else {
            ""
        },
        if groups.is_empty() {
            "-".to_owned()
        } else {
            groups.join(", ")
        },
    )
}

/// The one place a temporary password is shown: this terminal.
fn print_temporary(t: &TemporaryPassword) {
    println!("user: {}", t.user.username);
    println!("role: {}", t.user.role.as_str());
    println!("temporary password: {}", t.password.expose());
    println!("It must be changed at the first sign-in.");
}

fn explain(e: UserError) -> anyhow::Error {
    match e {
        UserError::NotFound => anyhow::anyhow!("no such user"),
        UserError::Invalid(field, message) => anyhow::anyhow!("{field}: {message}"),
        UserError::LastAdmin => anyhow::anyhow!("that is the last active admin"),
        other => anyhow::Error::new(other),
    }
}

/// DATA_DIR's node lock, taken for the command's run; `None` when a live server holds it.
fn data_dir_lock(config: &Config) -> anyhow::Result<Option<std::fs::File>> {
    use std::os::unix::fs::OpenOptionsExt;
    let path = config.data_dir.join("node.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("locking {}", path.display()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_parse() {
        assert!(matches!(Command::parse(&["list"]), Some(Command::List)));
        assert!(matches!(
            Command::parse(&["create", "ann", "--role", "admin"]),
            Some(Command::Create {
                role: Role::Admin,
                ..
            })
        ));
        assert!(Command::parse(&["create", "ann", "--role", "root"]).is_none());
        assert!(Command::parse(&["create", "ann"]).is_none());
        assert!(matches!(
            Command::parse(&["reset-password", "ann"]),
            Some(Command::ResetPassword { .. })
        ));
        assert!(matches!(
            Command::parse(&["enable", "ann"]),
            Some(Command::Enable { .. })
        ));
        assert!(Command::parse(&["disable", "ann"]).is_none());
    }
}
