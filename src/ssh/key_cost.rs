//! What a pasted key would cost to open. Encrypted key formats name their own KDF cost
//! (OpenSSH's bcrypt rounds, PuTTY's Argon2 memory and passes, PKCS#8's PBKDF2 iterations or
//! scrypt parameters); a hostile key can ask for hours of CPU or gigabytes of memory. This
//! reads those parameters without deriving anything and refuses costly ones.

use data_encoding::BASE64_MIME;

/// Far above what any tool writes by default (ssh-keygen: 16 rounds; PuTTY: 8 MiB, a few
/// passes; OpenSSL: 2048 iterations), far below what would stall the server.
pub const MAX_BCRYPT_ROUNDS: u32 = 256;
pub const MAX_ARGON2_MEMORY_KIB: u64 = 256 * 1024;
pub const MAX_ARGON2_PASSES: u64 = 64;
pub const MAX_ARGON2_PARALLELISM: u64 = 16;
pub const MAX_PBKDF2_ITERATIONS: u32 = 1_000_000;
pub const MAX_SCRYPT_MEMORY_BYTES: u64 = 256 * 1024 * 1024;
pub const MAX_SCRYPT_PARALLELISM: u16 = 16;

/// A key whose KDF asks for more than the limits above. The text is shown in the form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "This key's encryption is set to cost more than the server allows ({0}). Re-encrypt it \
     with default settings (for example `ssh-keygen -p -f KEY`) and paste it again."
)]
pub struct TooCostly(pub String);

/// Refuses a key whose KDF parameters exceed the limits. Formats it cannot read pass: the
/// decoder refuses those itself.
pub fn check(text: &str) -> Result<(), TooCostly> {
    let trimmed = text.trim_start();
    if trimmed.starts_with("PuTTY-User-Key-File-") {
        return check_ppk(trimmed);
    }
    if let Some(der) = armored(text, "OPENSSH PRIVATE KEY") {
        return check_openssh(&der);
    }
    if let Some(der) = armored(text, "ENCRYPTED PRIVATE KEY") {
        return check_pkcs8(&der);
    }
    Ok(())
}

/// The base64 body between `-----BEGIN {label}-----` and its END line, decoded.
fn armored(text: &str, label: &str) -> Option<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin)? + begin.len();
    let stop = start + text[start..].find(&end)?;
    let body: String = text[start..stop]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    BASE64_MIME.decode(body.as_bytes()).ok()
}

fn check_ppk(text: &str) -> Result<(), TooCostly> {
    let value = |name: &str| -> Option<u64> {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
            .and_then(|v| v.trim().parse().ok())
    };
    let too = |what: String| Err(TooCostly(what));
    if let Some(memory) = value("Argon2-Memory")
        && memory > MAX_ARGON2_MEMORY_KIB
    {
        return too(format!(
            "Argon2 memory {memory} KiB, at most {MAX_ARGON2_MEMORY_KIB}"
        ));
    }
    if let Some(passes) = value("Argon2-Passes")
        && passes > MAX_ARGON2_PASSES
    {
        return too(format!(
            "Argon2 passes {passes}, at most {MAX_ARGON2_PASSES}"
        ));
    }
    if let Some(lanes) = value("Argon2-Parallelism")
        && lanes > MAX_ARGON2_PARALLELISM
    {
        return too(format!(
            "Argon2 parallelism {lanes}, at most {MAX_ARGON2_PARALLELISM}"
        ));
    }
    Ok(())
}

/// `openssh-key-v1\0`, then strings: cipher name, KDF name, KDF options (for bcrypt: a salt
/// string and a u32 round count).
fn check_openssh(der: &[u8]) -> Result<(), TooCostly> {
    let Some(rest) = der.strip_prefix(b"openssh-key-v1\0") else {
        return Ok(());
    };
    let mut reader = Reader(rest);
    let (Some(_cipher), Some(kdf), Some(options)) =
        (reader.string(), reader.string(), reader.string())
    else {
        return Ok(());
    };
    if kdf != b"bcrypt" {
        return Ok(());
    }
    let mut options = Reader(options);
    let (Some(_salt), Some(rounds)) = (options.string(), options.u32()) else {
        return Ok(());
    };
    if rounds > MAX_BCRYPT_ROUNDS {
        return Err(TooCostly(format!(
            "bcrypt rounds {rounds}, at most {MAX_BCRYPT_ROUNDS}"
        )));
    }
    Ok(())
}

fn check_pkcs8(der: &[u8]) -> Result<(), TooCostly> {
    use pkcs8::pkcs5::pbes2::Kdf;
    let Ok(info) = pkcs8::EncryptedPrivateKeyInfoRef::try_from(der) else {
        return Ok(());
    };
    let Some(params) = info.encryption_algorithm.pbes2() else {
        return Ok(());
    };
    match &params.kdf {
        Kdf::Pbkdf2(p) if p.iteration_count > MAX_PBKDF2_ITERATIONS => Err(TooCostly(format!(
            "PBKDF2 iterations {}, at most {MAX_PBKDF2_ITERATIONS}",
            p.iteration_count
        ))),
        Kdf::Scrypt(p) => {
            // scrypt needs 128 * r * N bytes.
            let memory = 128u64
                .saturating_mul(u64::from(p.block_size))
                .saturating_mul(p.cost_parameter);
            if memory > MAX_SCRYPT_MEMORY_BYTES || p.parallelization > MAX_SCRYPT_PARALLELISM {
                return Err(TooCostly(format!(
                    "scrypt N={} r={} p={}",
                    p.cost_parameter, p.block_size, p.parallelization
                )));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// SSH wire format: big-endian u32 lengths.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn u32(&mut self) -> Option<u32> {
        let (head, rest) = self.0.split_first_chunk::<4>()?;
        self.0 = rest;
        Some(u32::from_be_bytes(*head))
    }

    fn string(&mut self) -> Option<&'a [u8]> {
        let len = usize::try_from(self.u32()?).ok()?;
        if len > self.0.len() {
            return None;
        }
        let (s, rest) = self.0.split_at(len);
        self.0 = rest;
        Some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn openssh_with_rounds(rounds: u32) -> String {
        let mut der = b"openssh-key-v1\0".to_vec();
        let mut put = |bytes: &[u8]| {
            der.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
            der.extend_from_slice(bytes);
        };
        put(b"aes256-ctr");
        put(b"bcrypt");
        let mut options = Vec::new();
        options.extend_from_slice(&16u32.to_be_bytes());
        options.extend_from_slice(&[7u8; 16]);
        options.extend_from_slice(&rounds.to_be_bytes());
        put(&options);
        put(&[0u8; 8]); // the rest does not matter here
        format!(
            "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----\n",
            BASE64_MIME.encode(&der)
        )
    }

    #[test]
    fn bcrypt_rounds_are_capped() {
        assert_eq!(check(&openssh_with_rounds(16)), Ok(()));
        assert_eq!(check(&openssh_with_rounds(MAX_BCRYPT_ROUNDS)), Ok(()));
        assert!(check(&openssh_with_rounds(0xFFFF_FFFF)).is_err());
    }

    #[test]
    fn putty_argon2_parameters_are_capped() {
        let ppk = |memory: u64, passes: u64| {
            format!(
                "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: aes256-cbc\n\
                 Key-Derivation: Argon2id\nArgon2-Memory: {memory}\nArgon2-Passes: {passes}\n\
                 Argon2-Parallelism: 1\n"
            )
        };
        assert_eq!(check(&ppk(8192, 13)), Ok(()));
        assert!(check(&ppk(4_294_967_295, 1)).is_err());
        assert!(check(&ppk(8192, 100_000)).is_err());
    }

    #[test]
    fn unreadable_text_is_left_to_the_decoder() {
        assert_eq!(check("not a key"), Ok(()));
        assert_eq!(
            check("-----BEGIN OPENSSH PRIVATE KEY-----\n!!\n-----END OPENSSH PRIVATE KEY-----"),
            Ok(())
        );
    }
}
