//! The POSIX (pax/ustar) tar format, as much as a folder download needs: headers for
//! folders, files and symlinks, long names and large sizes through pax records, and the exact
//! archive length up front so the download can announce its `Content-Length`.

const BLOCK: usize = 512;
/// Two zero blocks end an archive.
pub const TRAILER_LEN: usize = 2 * BLOCK;
/// The largest size an 11-digit octal field holds; bigger files get a pax `size` record.
const MAX_OCTAL_SIZE: u64 = 0o777_7777_7777;

/// What an archived entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TarKind {
    Dir,
    File,
    /// A symlink, stored as a link to this target (never followed).
    Symlink(String),
}

/// One entry: its path inside the archive (relative, "/"-separated), and its metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TarEntry {
    pub path: String,
    pub kind: TarKind,
    pub size: u64,
    pub mode: u32,
    pub mtime: u64,
}

impl TarEntry {
    /// How many content bytes follow the header (only files have any).
    pub fn content_len(&self) -> u64 {
        match self.kind {
            TarKind::File => self.size,
            _ => 0,
        }
    }

    fn name(&self) -> String {
        match self.kind {
            TarKind::Dir => format!("{}/", self.path),
            _ => self.path.clone(),
        }
    }

    fn link(&self) -> &str {
        match &self.kind {
            TarKind::Symlink(target) => target,
            _ => "",
        }
    }

    /// The pax records this entry needs (long names and links, large sizes).
    fn pax_records(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let name = self.name();
        if name.len() > 100 {
            out.extend(pax_record("path", &name));
        }
        if self.link().len() > 100 {
            out.extend(pax_record("linkpath", self.link()));
        }
        if self.content_len() > MAX_OCTAL_SIZE {
            out.extend(pax_record("size", &self.content_len().to_string()));
        }
        out
    }

    /// The header blocks (a pax header first when needed).
    pub fn header(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(BLOCK);
        let pax = self.pax_records();
        if !pax.is_empty() {
            let pax_name = format!("PaxHeader/{}", truncate(&self.path, 80));
            out.extend(ustar_block(
                &pax_name,
                b'x',
                pax.len() as u64,
                0o644,
                self.mtime,
                "",
            ));
            out.extend_from_slice(&pax);
            out.resize(out.len() + padding(pax.len() as u64), 0);
        }
        let typeflag = match self.kind {
            TarKind::Dir => b'5',
            TarKind::File => b'0',
            TarKind::Symlink(_) => b'2',
        };
        let size = self.content_len().min(MAX_OCTAL_SIZE);
        out.extend(ustar_block(
            truncate(&self.name(), 100),
            typeflag,
            size,
            self.mode,
            self.mtime,
            truncate(self.link(), 100),
        ));
        out
    }

    /// Every byte this entry adds to the archive: headers, content and its padding.
    pub fn archived_len(&self) -> u64 {
        self.header().len() as u64 + self.content_len() + padding(self.content_len()) as u64
    }
}

/// Zero bytes that fill `len` up to a whole block.
pub fn padding(len: u64) -> usize {
    let rest = (len % BLOCK as u64) as usize;
    if rest == 0 { 0 } else { BLOCK - rest }
}

/// The archive's exact length: every entry, then the trailer.
pub fn archive_len(entries: &[TarEntry]) -> u64 {
    entries.iter().map(TarEntry::archived_len).sum::<u64>() + TRAILER_LEN as u64
}

/// The longest prefix of `s` within `max` bytes that ends on a character boundary.
fn truncate(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// "LEN key=value\n", where LEN counts the whole record, itself included.
fn pax_record(key: &str, value: &str) -> Vec<u8> {
    let body = key.len() + value.len() + 3; // ' ', '=', '\n'
    let mut len = body + 1;
    while len != body + len.to_string().len() {
        len = body + len.to_string().len();
    }
    format!("{len} {key}={value}\n").into_bytes()
}

fn octal(field: &mut [u8], value: u64) {
    let digits = field.len() - 1;
    let text = format!("{value:0digits$o}");
    let start = text.len().saturating_sub(digits);
    field[..digits].copy_from_slice(&text.as_bytes()[start..]);
    field[digits] = 0;
}

fn ustar_block(
    name: &str,
    typeflag: u8,
    size: u64,
    mode: u32,
    mtime: u64,
    link: &str,
) -> [u8; BLOCK] {
    let mut block = [0u8; BLOCK];
    block[..name.len()].copy_from_slice(name.as_bytes());
    octal(&mut block[100..108], u64::from(mode & 0o7777));
    octal(&mut block[108..116], 0);
    octal(&mut block[116..124], 0);
    octal(&mut block[124..136], size);
    octal(&mut block[136..148], mtime.min(MAX_OCTAL_SIZE));
    block[156] = typeflag;
    block[157..157 + link.len()].copy_from_slice(link.as_bytes());
    block[257..263].copy_from_slice(b"ustar\0");
    block[263..265].copy_from_slice(b"00");
    // The checksum is taken with its own field as spaces.
    block[148..156].copy_from_slice(b"        ");
    let sum: u32 = block.iter().map(|&b| u32::from(b)).sum();
    let text = format!("{sum:06o}\0 ");
    block[148..156].copy_from_slice(text.as_bytes());
    block
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, size: u64) -> TarEntry {
        TarEntry {
            path: path.to_owned(),
            kind: TarKind::File,
            size,
            mode: 0o644,
            mtime: 1_700_000_000,
        }
    }

    #[test]
    fn a_short_file_is_one_header_and_padded_content() {
        let entry = file("a.txt", 5);
        let header = entry.header();
        assert_eq!(header.len(), 512);
        assert_eq!(&header[..5], b"a.txt");
        assert_eq!(&header[124..136], b"00000000005\0");
        assert_eq!(&header[257..263], b"ustar\0");
        assert_eq!(entry.archived_len(), 1024);
        assert_eq!(archive_len(&[entry]), 2048);
    }

    #[test]
    fn the_checksum_matches_the_header_bytes() {
        let header = file("x", 0).header();
        let mut spaced = header.clone();
        spaced[148..156].copy_from_slice(b"        ");
        let sum: u32 = spaced.iter().map(|&b| u32::from(b)).sum();
        let stored = std::str::from_utf8(&header[148..154]).unwrap();
        assert_eq!(u32::from_str_radix(stored, 8).unwrap(), sum);
    }

    #[test]
    fn long_names_and_huge_sizes_go_in_a_pax_header() {
        let long = "d/".repeat(80) + "file";
        let entry = file(&long, 9 * 1024 * 1024 * 1024);
        let header = entry.header();
        assert_eq!(header[156], b'x');
        let text = String::from_utf8_lossy(&header[512..1024]);
        assert!(text.contains(&format!(" path={long}\n")));
        assert!(text.contains(" size=9663676416\n"));
        assert_eq!(header.len(), 1536);
    }

    #[test]
    fn pax_record_lengths_count_themselves() {
        for value in ["x", &"y".repeat(95), &"z".repeat(994)] {
            let record = pax_record("path", value);
            let (len, _) = std::str::from_utf8(&record)
                .unwrap()
                .split_once(' ')
                .unwrap();
            assert_eq!(len.parse::<usize>().unwrap(), record.len());
        }
    }

    #[test]
    fn folders_end_in_a_slash_and_links_keep_their_target() {
        let dir = TarEntry {
            kind: TarKind::Dir,
            ..file("sub", 99)
        };
        assert_eq!(&dir.header()[..4], b"sub/");
        assert_eq!(dir.archived_len(), 512);
        let link = TarEntry {
            kind: TarKind::Symlink("../target".into()),
            ..file("ln", 9)
        };
        let header = link.header();
        assert_eq!(header[156], b'2');
        assert_eq!(&header[157..166], b"../target");
        assert_eq!(&header[124..136], b"00000000000\0");
    }

    #[test]
    fn multibyte_names_are_cut_on_a_character() {
        assert_eq!(truncate("ééé", 3), "é");
    }
}
