//! How a user's terminals look and behave, chosen in the settings dialog and kept on the
//! server so they follow the user to another browser.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TerminalTheme {
    Dark,
    Light,
    SolarizedDark,
    Dracula,
}

/// A theme's colours: background, foreground, cursor, selection, then the 16 ANSI colours.
pub struct Palette {
    pub background: &'static str,
    pub foreground: &'static str,
    pub cursor: &'static str,
    pub selection: &'static str,
    pub ansi: [&'static str; 16],
}

impl TerminalTheme {
    pub const ALL: [TerminalTheme; 4] = [
        TerminalTheme::Dark,
        TerminalTheme::Light,
        TerminalTheme::SolarizedDark,
        TerminalTheme::Dracula,
    ];

    pub fn label(self) -> &'static str {
        match self {
            TerminalTheme::Dark => "Dark",
            TerminalTheme::Light => "Light",
            TerminalTheme::SolarizedDark => "Solarized Dark",
            TerminalTheme::Dracula => "Dracula",
        }
    }

    pub fn palette(self) -> Palette {
        match self {
            TerminalTheme::Dark => Palette {
                background: "#0b0f14",
                foreground: "#e6edf3",
                cursor: "#e6edf3",
                selection: "#264f78",
                ansi: [
                    "#1d2530", "#ef4444", "#22c55e", "#eab308", "#3b82f6", "#a855f7", "#06b6d4",
                    "#d1d5db", "#4b5563", "#f87171", "#4ade80", "#facc15", "#60a5fa", "#c084fc",
                    "#22d3ee", "#f9fafb",
                ],
            },
            TerminalTheme::Light => Palette {
                background: "#fafafa",
                foreground: "#1f2328",
                cursor: "#1f2328",
                selection: "#b6d6fd",
                ansi: [
                    "#24292f", "#cf222e", "#116329", "#4d2d00", "#0969da", "#8250df", "#1b7c83",
                    "#6e7781", "#57606a", "#a40e26", "#1a7f37", "#633c01", "#218bff", "#a475f9",
                    "#3192aa", "#8c959f",
                ],
            },
            TerminalTheme::SolarizedDark => Palette {
                background: "#002b36",
                foreground: "#839496",
                cursor: "#93a1a1",
                selection: "#073642",
                ansi: [
                    "#073642", "#dc322f", "#859900", "#b58900", "#268bd2", "#d33682", "#2aa198",
                    "#eee8d5", "#002b36", "#cb4b16", "#586e75", "#657b83", "#839496", "#6c71c4",
                    "#93a1a1", "#fdf6e3",
                ],
            },
            TerminalTheme::Dracula => Palette {
                background: "#282a36",
                foreground: "#f8f8f2",
                cursor: "#f8f8f2",
                selection: "#44475a",
                ansi: [
                    "#21222c", "#ff5555", "#50fa7b", "#f1fa8c", "#bd93f9", "#ff79c6", "#8be9fd",
                    "#f8f8f2", "#6272a4", "#ff6e6e", "#69ff94", "#ffffa5", "#d6acff", "#ff92df",
                    "#a4ffff", "#ffffff",
                ],
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CursorStyle {
    Block,
    Underline,
    Bar,
}

impl CursorStyle {
    pub const ALL: [CursorStyle; 3] =
        [CursorStyle::Block, CursorStyle::Underline, CursorStyle::Bar];

    /// xterm.js's name for it.
    pub fn code(self) -> &'static str {
        match self {
            CursorStyle::Block => "block",
            CursorStyle::Underline => "underline",
            CursorStyle::Bar => "bar",
        }
    }
}

/// The monospace families offered: the system's own, or one of four shipped with the app
/// (served from `/fonts/`, never a CDN). Each stack ends in `monospace`, so a font that is
/// still loading, or lacks a character, falls back to a fixed-width one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FontFamily {
    /// Also what the local-only choices of earlier versions read as.
    #[serde(
        alias = "dejavu_sans_mono",
        alias = "liberation_mono",
        alias = "courier"
    )]
    System,
    JetbrainsMono,
    SourceCodePro,
    IbmPlexMono,
    FiraMono,
}

impl FontFamily {
    pub const ALL: [FontFamily; 5] = [
        FontFamily::System,
        FontFamily::JetbrainsMono,
        FontFamily::SourceCodePro,
        FontFamily::IbmPlexMono,
        FontFamily::FiraMono,
    ];

    pub fn label(self) -> &'static str {
        match self {
            FontFamily::System => "System monospace",
            FontFamily::JetbrainsMono => "JetBrains Mono",
            FontFamily::SourceCodePro => "Source Code Pro",
            FontFamily::IbmPlexMono => "IBM Plex Mono",
            FontFamily::FiraMono => "Fira Mono",
        }
    }

    /// The family name in the app's `@font-face` rules, for the shipped fonts.
    pub fn shipped_name(self) -> Option<&'static str> {
        match self {
            FontFamily::System => None,
            other => Some(other.label()),
        }
    }

    pub fn css(self) -> String {
        const SYSTEM: &str = "ui-monospace, SFMono-Regular, Menlo, Consolas, \"DejaVu Sans Mono\", \
                              \"Liberation Mono\", monospace";
        match self.shipped_name() {
            Some(name) => format!("\"{name}\", monospace"),
            None => SYSTEM.to_owned(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bell {
    Visual,
    None,
}

pub const FONT_SIZES: std::ops::RangeInclusive<u8> = 8..=32;
pub const MAX_SCROLLBACK: u32 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminalSettings {
    pub font_size: u8,
    pub font_family: FontFamily,
    pub scrollback: u32,
    pub cursor_style: CursorStyle,
    pub cursor_blink: bool,
    pub theme: TerminalTheme,
    pub copy_on_select: bool,
    pub bell: Bell,
}

impl Default for TerminalSettings {
    fn default() -> Self {
        Self {
            font_size: 14,
            font_family: FontFamily::System,
            scrollback: 10_000,
            cursor_style: CursorStyle::Block,
            cursor_blink: true,
            theme: TerminalTheme::Dark,
            copy_on_select: false,
            bell: Bell::Visual,
        }
    }
}

impl TerminalSettings {
    pub fn is_valid(&self) -> bool {
        FONT_SIZES.contains(&self.font_size) && self.scrollback <= MAX_SCROLLBACK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_limits_hold() {
        assert!(TerminalSettings::default().is_valid());
        assert_eq!(TerminalSettings::default().scrollback, 10_000);
        let big = TerminalSettings {
            font_size: 99,
            ..TerminalSettings::default()
        };
        assert!(!big.is_valid());
        let deep = TerminalSettings {
            scrollback: MAX_SCROLLBACK + 1,
            ..TerminalSettings::default()
        };
        assert!(!deep.is_valid());
    }

    #[test]
    fn settings_saved_with_a_font_no_longer_offered_still_read() {
        let json = serde_json::to_string(&TerminalSettings::default()).unwrap();
        for old in ["dejavu_sans_mono", "liberation_mono", "courier"] {
            let stored = json.replace("\"system\"", &format!("\"{old}\""));
            let read: TerminalSettings = serde_json::from_str(&stored).unwrap();
            assert_eq!(read.font_family, FontFamily::System);
        }
        for family in FontFamily::ALL {
            assert!(family.css().ends_with("monospace"));
        }
    }

    #[test]
    fn every_theme_has_sixteen_colours() {
        for theme in TerminalTheme::ALL {
            let palette = theme.palette();
            assert!(
                palette
                    .ansi
                    .iter()
                    .all(|c| c.starts_with('#') && c.len() == 7)
            );
        }
    }
}
