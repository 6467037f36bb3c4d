use std::time::Duration;

use anyhow::Context;
use cloudshell::config::Config;
use tracing_subscriber::EnvFilter;

const USAGE: &str = "usage: server                 serve CloudShell (configured by the environment)
       server audit verify    check the audit log from its newest seal on (exit 1 if broken)
       server audit verify --full
                              check every entry and every seal from the oldest (exit 1 if broken)
";

/// glibc gives each thread its own heap arena. Tokio moves session tasks between worker
/// threads, so memory freed by one session stays resident in another thread's arena: measured
/// here, 93 KiB per idle terminal with the default against 66 KiB with one arena, at equal
/// throughput (docs/performance.md). An operator's MALLOC_ARENA_MAX still wins.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)] // The one unsafe call in the tree; see the SAFETY note.
fn limit_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets an allocator parameter; called before any other thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 1);
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}

fn main() -> anyhow::Result<()> {
    limit_malloc_arenas();
    // Whatever the server or a library creates is private to its account (DATA_DIR's files
    // are also created 0600 explicitly, so tests and embedders get the same modes).
    nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o077));
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let user_command = match args.as_slice() {
        ["user", rest @ ..] => match server::cli::Command::parse(rest) {
            Some(command) => Some(command),
            None => usage(),
        },
        [] | ["audit", "verify"] | ["audit", "verify", "--full"] => None,
        _ => usage(),
    };
    // SAFETY: no other thread exists yet; the runtime's are started below.
    #[allow(unsafe_code)]
    let config =
        unsafe { server::startup::config_from_env_scrubbed() }.context("invalid configuration")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    if let Some(command) = user_command {
        return runtime.block_on(server::cli::run(config, command));
    }
    match args.as_slice() {
        [] => runtime.block_on(serve(config)),
        ["audit", "verify", rest @ ..] if matches!(rest, [] | ["--full"]) => {
            let intact = runtime.block_on(audit_verify(config, rest == ["--full"]))?;
            std::process::exit(if intact { 0 } else { 1 });
        }
        _ => usage(),
    }
}

fn usage() -> ! {
    eprintln!("{USAGE}{}", server::cli::USAGE);
    std::process::exit(2);
}

async fn audit_verify(config: Config, full: bool) -> anyhow::Result<bool> {
    use cloudshell::audit::seal::{ANCHOR_FILE, SealKey};
    let (secret_key, _) = server::secret_key::resolve(config.secret_key.as_ref(), &config.data_dir)
        .context("SECRET_KEY (the seals are checked with it)")?;
    let db = cloudshell::db::connect(&config.database_url())
        .await
        .context("DATABASE_URL / DATA_DIR")?;
    let verifier = cloudshell::audit::verify::Verifier::new(
        db,
        std::sync::Arc::new(SealKey::derive(&secret_key)),
        Some(config.data_dir.join(ANCHOR_FILE)),
    );
    let report = if full {
        verifier.check_all().await?
    } else {
        verifier.check_since_anchor().await?
    };
    let scope = if full {
        "every entry"
    } else {
        "since the newest seal"
    };
    match (report.first_broken_id, report.problem) {
        (Some(id), Some(problem)) => println!("BROKEN at id {id}: {}", problem.text()),
        _ => println!(
            "intact: {} entries verified ({scope}); newest seal at id {}; {} entries after it",
            report.checked,
            report
                .last_seal_id
                .map_or_else(|| "none".to_owned(), |id| id.to_string()),
            report.unsealed,
        ),
    }
    if !full && report.intact {
        println!("run with --full to recheck every entry from the oldest");
    }
    Ok(report.intact)
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let server::Prepared {
        state,
        audit_writer,
    } = server::prepare(&config, server::startup::leptos_options_from_env()).await?;
    let retention = server::retention::spawn(state.clone());
    let heartbeat = server::heartbeat::spawn(state.clone());
    let login_reports = server::login_reports::spawn(state.clone());
    let sealing = server::sealing::spawn(state.clone());
    let revocation_poll = server::revocation_poll::spawn(state.clone());
    let session_watch = server::session_watch::spawn(state.clone());
    let sealer = state.sealer.clone();
    let auditor = state.auditor.clone();
    let terminals = state.terminals.clone();
    let app = server::build_router(state);

    let listener = tokio::net::TcpListener::bind(config.listen_addr)
        .await
        .with_context(|| format!("LISTEN_ADDR: cannot listen on {}", config.listen_addr))?;
    // The bound address, so LISTEN_ADDR with port 0 says which port it got.
    let bound = listener.local_addr().unwrap_or(config.listen_addr);
    tracing::info!("CloudShell listening on http://{bound}");
    let limits = server::serve::Limits {
        max_connections: server::serve::fit_to_open_file_limit(config.max_connections as usize),
        ..server::serve::Limits::default()
    };
    server::serve::run(listener, app, limits, async move {
        shutdown_signal().await;
        // Terminal WebSockets would keep the server open: end them (recording each end).
        terminals.shutdown(Duration::from_secs(5)).await;
    })
    .await;
    retention.abort();
    heartbeat.abort();
    login_reports.abort();
    sealing.abort();
    revocation_poll.abort();
    session_watch.abort();
    // Blocks still running at shutdown are not over, so they are not reported: the audit
    // records a block's refusals only once it has ended.
    // The last seal covers everything this run recorded; bounded, so a stuck database
    // cannot hold the shutdown (the writer then spills).
    match tokio::time::timeout(Duration::from_secs(5), sealer.seal(&auditor)).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::error!(error = %e, "sealing the audit log at shutdown failed"),
        Err(_) => tracing::error!("sealing the audit log at shutdown timed out"),
    }
    // Everything recorded before the listener closed is on disk before we exit.
    audit_writer.shutdown(auditor).await;
    tracing::info!("CloudShell stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown requested");
}
