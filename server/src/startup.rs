//! Startup: the key, the database, migrations and the first admin, in that order.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use cloudshell::audit::{self, AuditWriter};
use cloudshell::auth::AuthService;
use cloudshell::config::Config;
use cloudshell::devices::DeviceService;
use cloudshell::terminal::{Orphans, Revocations, SessionRegistry};
use cloudshell::vault::Vault;
use leptos::config::LeptosOptions;
use migration::{Migrator, MigratorTrait};

use crate::state::AppState;

/// Leptos site settings: from cargo-leptos's LEPTOS_* variables when present (dev, release
/// builds), otherwise the layout `cargo leptos build` produces, so the bare binary also runs.
pub fn leptos_options_from_env() -> LeptosOptions {
    if std::env::var_os("LEPTOS_OUTPUT_NAME").is_some()
        && let Ok(conf) = leptos::config::get_configuration(None)
    {
        return conf.leptos_options;
    }
    LeptosOptions::builder()
        .output_name("cloudshell")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .build()
}

/// Reads the configuration, then removes SECRET_KEY from the process environment, so nothing
/// that reads the environment later (a child process, a crash dump of it) finds the key.
///
/// # Safety
/// Must be called while no other thread exists (in `main`, before the runtime starts):
/// changing the environment races with any other thread that reads it.
#[allow(unsafe_code)] // The second of the two unsafe spots in the tree, with mallopt.
pub unsafe fn config_from_env_scrubbed() -> Result<Config, cloudshell::config::ConfigError> {
    let config = Config::from_env()?;
    // SAFETY: the caller guarantees no other thread exists.
    unsafe {
        std::env::remove_var("SECRET_KEY");
    }
    Ok(config)
}

/// A prepared server: the request state, and the audit writer to flush on shutdown.
pub struct Prepared {
    pub state: AppState,
    pub audit_writer: AuditWriter,
}

/// Opens everything the server needs. Fails with a message that says what to fix.
/// Connects to the configured database and brings its schema up to date.
pub async fn open_database(config: &Config) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let db = cloudshell::db::connect(&config.database_url())
        .await
        .context("DATABASE_URL / DATA_DIR")?;
    Migrator::up(&db, None)
        .await
        .context("running database migrations")?;
    Ok(db)
}

pub async fn prepare(config: &Config, leptos_options: LeptosOptions) -> anyhow::Result<Prepared> {
    if config.public_url.is_none() && !config.listen_addr.ip().is_loopback() {
        tracing::warn!(
            "PUBLIC_URL is not set: the origin that state changes must come from is taken from \
             each request's Host header. Set PUBLIC_URL to the address people use."
        );
    }
    crate::data_dir::secure(&config.data_dir)
        .with_context(|| format!("DATA_DIR: securing {}", config.data_dir.display()))?;
    if config.database_url.is_none() {
        crate::data_dir::create_private(&config.data_dir.join("cloudshell.db"))
            .context("DATA_DIR: creating the database file")?;
    }
    let (secret_key, generated) =
        crate::secret_key::resolve(config.secret_key.as_ref(), &config.data_dir)
            .context("SECRET_KEY")?;
    if generated {
        tracing::warn!(
            path = %config.data_dir.join(crate::secret_key::KEY_FILE).display(),
            "SECRET_KEY is not set: generated one and stored it in DATA_DIR (mode 0600). \
             Back it up; stored credentials cannot be decrypted without it."
        );
    }

    // Claimed before the database is touched. SQLite's audit chain has one writer: a second
    // process on the same DATA_DIR (another server, or `server user …` at work) would fork
    // it, so that is refused. PostgreSQL replicas share a database, each with its own lock.
    let node = crate::node::claim(&config.data_dir).context("DATA_DIR: the node id")?;
    if config.database_url.is_none() && node.lock.is_none() {
        anyhow::bail!(
            "DATA_DIR {} is in use by another CloudShell process (a server, or `server user`): \
             its SQLite database has one writer. Stop that process first; replicas need \
             PostgreSQL (DATABASE_URL).",
            config.data_dir.display()
        );
    }
    let db = open_database(config).await?;

    let spill_file = config.data_dir.join(audit::spill::SPILL_FILE);
    let sealer = crate::sealing::Sealer {
        key: Arc::new(audit::seal::SealKey::derive(&secret_key)),
        anchor_file: config.data_dir.join(audit::seal::ANCHOR_FILE),
    };
    let (auditor, audit_writer) = audit::spawn_with(
        db.clone(),
        Some(sealer.key.clone()),
        Some(spill_file.clone()),
    );
    replay_spilled(&auditor, &config.data_dir).await?;
    // A head left unsealed by a crash is sealed now, before anything new is recorded.
    sealer
        .seal(&auditor)
        .await
        .context("sealing the audit log")?;
    let verifier = Arc::new(audit::verify::Verifier::new(
        db.clone(),
        sealer.key.clone(),
        Some(sealer.anchor_file.clone()),
    ));
    // One full check per start, in the background; the viewer's checks then cover only
    // what is new.
    verifier.start_full_check().await;
    let auth = AuthService::new(db.clone(), auditor.clone(), config.token_ttl_hours)
        .with_max_age(time::Duration::hours(i64::from(config.session_max_hours)));
    let initial_password_file = config
        .data_dir
        .join(crate::data_dir::INITIAL_ADMIN_PASSWORD_FILE);
    let generated = auth
        .ensure_admin(
            &config.admin_user,
            config.admin_password.clone(),
            // Never in the log: in a 0600 file, written before the account exists.
            |password| crate::data_dir::write_private(&initial_password_file, password.expose()),
        )
        .await
        .context("creating the admin user")?;
    if generated {
        tracing::warn!(
            user = %config.admin_user,
            file = %initial_password_file.display(),
            "ADMIN_PASSWORD is not set: created the admin account with a generated password, \
             written to this file; it must be changed at the first sign-in"
        );
    }
    let auth = auth.with_initial_password_file(initial_password_file);

    let terminals = SessionRegistry::new(
        db.clone(),
        auditor.clone(),
        &node.id,
        node.previous.as_deref(),
    );
    let revocations = Revocations::start(db.clone())
        .await
        .context("reading terminal revocations")?;
    // Sessions still open in the database were left by a process that died: with SQLite
    // only one process uses the file, so all of them; with PostgreSQL, this node's own and
    // those whose owner stopped beating.
    let orphans = if config.database_url().starts_with("sqlite:") {
        Orphans::All
    } else {
        Orphans::OwnOrStale(crate::heartbeat::STALE_AFTER)
    };
    let reaped = terminals
        .reap(orphans)
        .await
        .context("ending sessions left open by a previous run")?;
    if reaped > 0 {
        tracing::warn!(
            sessions = reaped,
            "ended terminal sessions left open by a previous run"
        );
    }
    let site_root = std::path::PathBuf::from(leptos_options.site_root.as_ref());
    let service_worker =
        tokio::task::spawn_blocking(move || crate::pwa::service_worker_source(&site_root))
            .await?
            .into();
    // The vault key is derived once, here; SECRET_KEY itself is not kept.
    let devices = DeviceService::new(db.clone(), Vault::new(&secret_key), auditor.clone());
    let rebound = devices
        .rebind_v1_secrets()
        .await
        .context("binding stored credentials to their endpoints")?;
    if rebound > 0 {
        tracing::info!(
            devices = rebound,
            "re-encrypted stored credentials bound to their endpoints"
        );
    }
    let terminal_limits = cloudshell::terminal::limits::TerminalLimits::new(
        config.max_terminals_per_user as usize,
        config.max_terminals as usize,
    );
    let destinations = Arc::new(cloudshell::ssh::destination::DestinationPolicy::new(
        config.device_allow_cidrs.clone(),
        config.device_deny_cidrs.clone(),
    ));
    let files = cloudshell::files::FileSessions::new(
        devices.clone(),
        terminals.clone(),
        terminal_limits.clone(),
        destinations.clone(),
        auditor.clone(),
        config.sftp_idle,
    );
    let permissions = cloudshell::permissions::Permissions::new(db.clone(), auditor.clone());
    let users = cloudshell::users::UserService::new(db.clone(), auditor.clone(), auth.clone());
    let state = AppState {
        permissions,
        users,
        devices,
        leptos_options,
        db,
        auth,
        auditor,
        terminals,
        session_idle_timeout: (config.session_idle_timeout_minutes > 0).then(|| {
            std::time::Duration::from_secs(u64::from(config.session_idle_timeout_minutes) * 60)
        }),
        audit_retention_days: config.audit_retention_days,
        started_at: Instant::now(),
        trusted_proxies: config.trusted_proxies.clone().into(),
        client_ip_header: config.client_ip_header,
        public_url: config.public_url.clone().map(Arc::new),
        request_timeout: crate::edge::REQUEST_TIMEOUT,
        loopback_hosts_only: config.public_url.is_none() && config.listen_addr.ip().is_loopback(),
        service_worker,
        sealer,
        verifier,
        revocations,
        node_lock: node.lock,
        terminal_limits,
        destinations,
        files,
        sftp_max_upload_bytes: config.sftp_max_upload_bytes,
    };
    Ok(Prepared {
        state,
        audit_writer,
    })
}

/// Events a previous run could not write before it stopped go into the chain first. The
/// spill file is claimed by renaming it (a replica sharing DATA_DIR that spills at the same
/// moment starts a new file rather than appending to one being removed); each claimed file
/// lands in one transaction with a marker naming its digest, so a start that dies before
/// removing it does not write it twice.
async fn replay_spilled(
    auditor: &audit::Auditor,
    data_dir: &std::path::Path,
) -> anyhow::Result<()> {
    let spill = data_dir.join(audit::spill::SPILL_FILE);
    if spill.exists() {
        let claimed = data_dir.join(format!(
            "{}.{}.replaying",
            audit::spill::SPILL_FILE,
            cloudshell::terminal::random_id()
        ));
        std::fs::rename(&spill, &claimed)
            .with_context(|| format!("claiming {}", spill.display()))?;
    }
    let prefix = format!("{}.", audit::spill::SPILL_FILE);
    let entries =
        std::fs::read_dir(data_dir).with_context(|| format!("reading {}", data_dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        let is_claimed = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".replaying"));
        if !is_claimed {
            continue;
        }
        let spilled =
            audit::spill::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let n = spilled.events.len();
        let written = auditor
            .replay_spill(spilled.events, spilled.digest)
            .await
            .context("writing the spilled audit events")?;
        std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        if written {
            tracing::warn!(
                events = n,
                "wrote the audit events spilled by a previous run"
            );
        } else {
            tracing::warn!("a spill file had been written already; removed it");
        }
    }
    Ok(())
}
