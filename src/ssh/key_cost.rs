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

/// Refuses a key whose KDF parameters exceed the limits. The text is read the way the
/// decoder reads it (the same lines kept, whatever the armor's label says), so what is
/// checked is what would be derived with.
pub fn check(text: &str) -> Result<(), TooCostly> {
    if text.trim_start().starts_with("PuTTY-User-Key-File-") {
        return check_ppk(text);
    }
    let Some(der) = armored_body(text) else {
        return Ok(());
    };
    if der.starts_with(OPENSSH_MAGIC) {
        return check_openssh(&der);
    }
    // Any other label may still hold an encrypted PKCS#8 body the decoder would open.
    check_pkcs8(&der)
}

const OPENSSH_MAGIC: &[u8] = b"openssh-key-v1\0";

/// The base64 body of the first armored block, as russh collects it: after a BEGIN line,
/// every line made only of base64 characters until the END line (others are skipped).
fn armored_body(text: &str) -> Option<Vec<u8>> {
    let mut started = false;
    let mut body = String::new();
    for line in text.lines() {
        if started {
            if line.starts_with("-----END ") {
                break;
            }
            if line
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '+' | '='))
            {
                body.push_str(line);
            }
        } else if line.starts_with("-----BEGIN ") {
            started = true;
        }
    }
    if !started {
        return None;
    }
    BASE64_MIME.decode(body.as_bytes()).ok()
}

/// PuTTY's `Name: value` headers. A header given twice is checked in every occurrence (the
/// parser keeps the last one).
fn check_ppk(text: &str) -> Result<(), TooCostly> {
    let largest = |name: &str| -> Option<u64> {
        text.lines()
            .filter_map(|l| l.split_once(": "))
            .filter(|(key, _)| *key == name)
            .map(|(_, value)| value.trim().parse::<u64>().unwrap_or(u64::MAX))
            .max()
    };
    let too = |what: String| Err(TooCostly(what));
    if let Some(memory) = largest("Argon2-Memory")
        && memory > MAX_ARGON2_MEMORY_KIB
    {
        return too(format!(
            "Argon2 memory {memory} KiB, at most {MAX_ARGON2_MEMORY_KIB}"
        ));
    }
    if let Some(passes) = largest("Argon2-Passes")
        && passes > MAX_ARGON2_PASSES
    {
        return too(format!(
            "Argon2 passes {passes}, at most {MAX_ARGON2_PASSES}"
        ));
    }
    if let Some(lanes) = largest("Argon2-Parallelism")
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
    let Some(rest) = der.strip_prefix(OPENSSH_MAGIC) else {
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
    fn a_line_the_decoder_skips_does_not_hide_the_rounds() {
        let key = openssh_with_rounds(0xFFFF_FFFF);
        let with_comment = key.replacen("-----\n", "-----\nComment: x\n", 1);
        assert!(check(&with_comment).is_err());
        let crlf = key.replace("\r\n", "\n").replace('\n', "\r\n");
        assert!(check(&crlf).is_err());
    }

    #[test]
    fn a_header_given_twice_is_checked_in_both() {
        let ppk = "PuTTY-User-Key-File-3: ssh-ed25519\nArgon2-Memory: 8192\n\
                   Argon2-Memory: 4294967295\nArgon2-Passes: 1\n";
        assert!(check(ppk).is_err());
    }

    fn pkcs8_with_iterations(label: &str, iterations: u32) -> String {
        use pkcs8::der::Encode;
        use pkcs8::der::asn1::OctetStringRef;
        use pkcs8::pkcs5::{EncryptionScheme, pbes2};
        let params =
            pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(iterations, &[3u8; 16], [4u8; 16])
                .unwrap();
        let data = [0u8; 48];
        let info = pkcs8::EncryptedPrivateKeyInfo {
            encryption_algorithm: EncryptionScheme::Pbes2(params),
            encrypted_data: OctetStringRef::new(&data).unwrap(),
        };
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            BASE64_MIME.encode(&info.to_der().unwrap())
        )
    }

    #[test]
    fn pbkdf2_iterations_are_capped_under_any_label() {
        assert_eq!(
            check(&pkcs8_with_iterations("ENCRYPTED PRIVATE KEY", 2048)),
            Ok(())
        );
        for label in ["ENCRYPTED PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY"] {
            assert!(
                check(&pkcs8_with_iterations(label, 100_000_000)).is_err(),
                "{label}"
            );
        }
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
