//! Connecting to a device: TCP with a deadline, the host-key policy, authentication by
//! password, key or keyboard-interactive, then a PTY running the login shell.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use russh::Channel;
use russh::client::{self, AuthResult, KeyboardInteractiveAuthResponse};
use russh::keys::PrivateKeyWithHashAlg;
use russh::keys::PublicKeyOrCertificate;

use super::destination::DestinationPolicy;
use super::host_keys::{HostKeyError, HostKeyStore, HostKeyVerdict, PresentedKey, endpoint};
use crate::audit::Actor;
use crate::devices::DeviceCredentials;
use crate::models::terminal::ErrorKind;
use crate::models::{DeviceView, SshAuthType};
use crate::secret::SecretString;

/// Rounds of keyboard-interactive prompts answered before giving up.
const MAX_PROMPT_ROUNDS: usize = 5;

#[derive(Debug, Clone, Copy)]
pub struct ConnectOptions {
    /// For TCP, key exchange and authentication together.
    pub timeout: Duration,
    /// SSH keepalives; three unanswered ones end the connection.
    pub keepalive: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(15),
            keepalive: Duration::from_secs(30),
        }
    }
}

/// Why a connection failed. The texts are shown in the terminal.
#[derive(Debug, thiserror::Error)]
pub enum SshError {
    #[error("Cannot reach {0}. Check the host and port, and that the device is up.")]
    Unreachable(String),
    #[error("Timed out connecting to {0}.")]
    Timeout(String),
    #[error("The device refused the credentials. Check the username and secret in its settings.")]
    AuthFailed,
    #[error("{0}")]
    HostKeyMismatch(String),
    #[error("The host key could not be checked; try again.")]
    HostKeyCheck,
    #[error("credentials cannot be decrypted; was SECRET_KEY changed?")]
    Decrypt,
    #[error("The stored private key cannot be used. Replace it in the device's settings.")]
    BadKey,
    #[error("The server is busy opening keys. Try again in a few seconds.")]
    Busy,
    #[error(
        "{0} is not an address devices may be reached at (DEVICE_ALLOW_CIDRS / DEVICE_DENY_CIDRS)."
    )]
    DestinationRefused(String),
    /// The library's own words go to the server log only (see `Debug`).
    #[error("The SSH connection failed. The server log has the details.")]
    Protocol(#[from] russh::Error),
}

impl SshError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            SshError::Unreachable(_) => ErrorKind::Unreachable,
            SshError::Timeout(_) => ErrorKind::Timeout,
            SshError::AuthFailed | SshError::BadKey => ErrorKind::AuthFailed,
            SshError::Busy => ErrorKind::Busy,
            SshError::DestinationRefused(_) => ErrorKind::DestinationRefused,
            SshError::HostKeyMismatch(_) => ErrorKind::HostKeyMismatch,
            SshError::Decrypt => ErrorKind::DecryptFailed,
            SshError::HostKeyCheck | SshError::Protocol(_) => ErrorKind::Internal,
        }
    }
}

/// What the host-key check decided during the handshake.
#[derive(Debug, Clone)]
pub enum HostKeyOutcome {
    Learned(PresentedKey),
    Matched,
    Mismatch(String),
    Failed,
}

type Outcome = Arc<Mutex<Option<HostKeyOutcome>>>;

pub struct Verifier {
    store: HostKeyStore,
    actor: Actor,
    device_id: i64,
    host: String,
    port: u32,
    outcome: Outcome,
}

impl Verifier {
    fn set(&self, outcome: HostKeyOutcome) {
        if let Ok(mut slot) = self.outcome.lock() {
            *slot = Some(outcome);
        }
    }
}

impl client::Handler for Verifier {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        let PublicKeyOrCertificate::PublicKey { key, .. } = key else {
            self.set(HostKeyOutcome::Failed);
            return Ok(false);
        };
        let presented = PresentedKey::from_public_key(key);
        // Boxed: russh keeps this handler's futures inside its connection task for the
        // connection's whole life, and the database check is tens of KiB of future.
        let verdict = Box::pin(self.store.check(
            &self.actor,
            Some(self.device_id),
            &self.host,
            self.port,
            &presented,
        ))
        .await;
        match verdict {
            Ok(HostKeyVerdict::Learned) => self.set(HostKeyOutcome::Learned(presented)),
            Ok(HostKeyVerdict::Matched) => self.set(HostKeyOutcome::Matched),
            Err(e @ HostKeyError::Mismatch { .. }) => {
                self.set(HostKeyOutcome::Mismatch(e.to_string()));
                return Ok(false);
            }
            Err(e) => {
                tracing::error!(error = %e, "host key check failed");
                self.set(HostKeyOutcome::Failed);
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// A logged-in SSH connection, before its shell is opened.
pub struct SshSession {
    pub handle: client::Handle<Verifier>,
    pub host_key: HostKeyOutcome,
}

/// Opens the login shell on an `xterm-256color` PTY of the given size.
pub async fn open_shell(
    handle: &client::Handle<Verifier>,
    cols: u32,
    rows: u32,
) -> Result<Channel<client::Msg>, SshError> {
    let channel = handle.channel_open_session().await?;
    channel
        .request_pty(false, "xterm-256color", cols, rows, 0, 0, &[])
        .await?;
    channel.request_shell(false).await?;
    Ok(channel)
}

/// Connects (only to an address `policy` allows), checks the host key (auditing what it
/// learns or refuses) and authenticates.
pub async fn connect(
    device: &DeviceView,
    credentials: &DeviceCredentials,
    store: &HostKeyStore,
    actor: &Actor,
    policy: &DestinationPolicy,
    options: ConnectOptions,
) -> Result<SshSession, SshError> {
    let place = endpoint(&device.host, device.port);
    match tokio::time::timeout(
        options.timeout,
        connect_inner(device, credentials, store, actor, policy, options),
    )
    .await
    {
        Ok(result) => result,
        Err(_) => Err(SshError::Timeout(place)),
    }
}

async fn connect_inner(
    device: &DeviceView,
    credentials: &DeviceCredentials,
    store: &HostKeyStore,
    actor: &Actor,
    policy: &DestinationPolicy,
    options: ConnectOptions,
) -> Result<SshSession, SshError> {
    let place = endpoint(&device.host, device.port);
    let outcome: Outcome = Arc::default();
    let verifier = Verifier {
        store: store.clone(),
        actor: actor.clone(),
        device_id: device.id,
        host: device.host.clone(),
        port: device.port,
        outcome: outcome.clone(),
    };
    let config = Arc::new(client::Config {
        keepalive_interval: Some(options.keepalive),
        keepalive_max: 3,
        nodelay: true,
        ..Default::default()
    });
    let host = device
        .host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = u16::try_from(device.port).map_err(|_| SshError::Unreachable(place.clone()))?;
    let stream = open_tcp(&host, port, policy, &place).await?;
    let connected = client::connect_stream(config, stream, verifier).await;
    let decided = outcome.lock().ok().and_then(|o| o.clone());
    let mut handle = match (connected, decided.clone()) {
        (Ok(handle), _) => handle,
        (Err(_), Some(HostKeyOutcome::Mismatch(message))) => {
            return Err(SshError::HostKeyMismatch(message));
        }
        (Err(_), Some(HostKeyOutcome::Failed)) => return Err(SshError::HostKeyCheck),
        (Err(russh::Error::IO(_)), _) => return Err(SshError::Unreachable(place)),
        (Err(russh::Error::Disconnect), _) => return Err(SshError::Unreachable(place)),
        (Err(e), _) => return Err(SshError::Protocol(e)),
    };
    authenticate(&mut handle, device, credentials, &actor.username).await?;
    Ok(SshSession {
        handle,
        host_key: decided.unwrap_or(HostKeyOutcome::Matched),
    })
}

/// Resolves `host` and connects to the first address the policy allows, checking each one
/// actually connected to (a name cannot resolve to a refused address between check and use).
async fn open_tcp(
    host: &str,
    port: u16,
    policy: &DestinationPolicy,
    place: &str,
) -> Result<tokio::net::TcpStream, SshError> {
    let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|_| SshError::Unreachable(place.to_owned()))?
        .collect();
    let mut refused = None;
    let mut last_error = None;
    for addr in addrs {
        if let Err(why) = policy.check(addr.ip()) {
            tracing::warn!(%addr, ?why, "device address refused by the destination policy");
            refused = Some(addr);
            continue;
        }
        match tokio::net::TcpStream::connect(addr).await {
            Ok(stream) => {
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(e) => last_error = Some(e),
        }
    }
    match (last_error, refused) {
        (None, Some(_)) => Err(SshError::DestinationRefused(place.to_owned())),
        (Some(e), _) => {
            tracing::info!(error = %e, %place, "device connection failed");
            Err(SshError::Unreachable(place.to_owned()))
        }
        (None, None) => Err(SshError::Unreachable(place.to_owned())),
    }
}

/// `user_name` is the CloudShell user connecting: key work is shared out per user.
async fn authenticate(
    handle: &mut client::Handle<Verifier>,
    device: &DeviceView,
    credentials: &DeviceCredentials,
    user_name: &str,
) -> Result<(), SshError> {
    let user = device.username.clone();
    let ok = match device.auth_type {
        SshAuthType::Password => {
            let password = credentials.password.clone().ok_or(SshError::AuthFailed)?;
            let result = handle
                .authenticate_password(user.clone(), password.expose())
                .await?;
            // Many servers take passwords only through keyboard-interactive (PAM).
            match result {
                AuthResult::Success => true,
                AuthResult::Failure { .. } => {
                    keyboard_interactive(handle, &user, Some(&password)).await?
                }
            }
        }
        SshAuthType::KeyboardInteractive => {
            keyboard_interactive(handle, &user, credentials.password.as_ref()).await?
        }
        SshAuthType::PrivateKey => {
            let text = credentials
                .private_key
                .as_ref()
                .ok_or(SshError::AuthFailed)?;
            // Opened once per connection, off the runtime, within the cost limits.
            let key = super::key_work::open_private_key(
                user_name,
                text.clone(),
                credentials.passphrase.clone(),
            )
            .await
            .map_err(|e| match e {
                super::keys::KeyError::Busy => SshError::Busy,
                _ => SshError::BadKey,
            })?;
            let hash = handle.best_supported_rsa_hash().await?.flatten();
            handle
                .authenticate_publickey(user, PrivateKeyWithHashAlg::new(Arc::new(key), hash))
                .await?
                .success()
        }
    };
    if ok {
        Ok(())
    } else {
        Err(SshError::AuthFailed)
    }
}

/// Answers hidden prompts ("Password:") with the stored password and visible ones with
/// nothing, for a few rounds.
async fn keyboard_interactive(
    handle: &mut client::Handle<Verifier>,
    user: &str,
    password: Option<&SecretString>,
) -> Result<bool, SshError> {
    let mut reply = handle
        .authenticate_keyboard_interactive_start(user.to_owned(), None::<String>)
        .await?;
    for _ in 0..MAX_PROMPT_ROUNDS {
        match reply {
            KeyboardInteractiveAuthResponse::Success => return Ok(true),
            KeyboardInteractiveAuthResponse::Failure { .. } => return Ok(false),
            KeyboardInteractiveAuthResponse::InfoRequest { prompts, .. } => {
                let answers = prompts
                    .iter()
                    .map(|p| match (p.echo, password) {
                        (false, Some(pw)) => pw.expose().to_owned(),
                        _ => String::new(),
                    })
                    .collect();
                reply = handle
                    .authenticate_keyboard_interactive_respond(answers)
                    .await?;
            }
        }
    }
    Ok(false)
}
