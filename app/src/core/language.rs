//! The console's interface languages: which ones there are, how a browser's
//! `Accept-Language` header picks one, and the catalogue locale of each.

use serde::{Deserialize, Serialize};

/// The cookie that remembers a browser's language: written by the browser when the page's
/// language changes (`ui::LanguageCookie`), read by the server and by the catalogue on it.
pub const LANGUAGE_COOKIE: &str = "i18n_pref_locale";

/// The console's interface languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    De,
    Zh,
    Ru,
}

impl Language {
    pub const ALL: [Language; 4] = [Language::En, Language::De, Language::Zh, Language::Ru];

    /// The catalogue's locale for this language.
    pub const fn locale(self) -> crate::i18n::Locale {
        match self {
            Language::En => crate::i18n::Locale::en,
            Language::De => crate::i18n::Locale::de,
            Language::Zh => crate::i18n::Locale::zh,
            Language::Ru => crate::i18n::Locale::ru,
        }
    }

    pub const fn from_locale(locale: crate::i18n::Locale) -> Self {
        match locale {
            crate::i18n::Locale::en => Language::En,
            crate::i18n::Locale::de => Language::De,
            crate::i18n::Locale::zh => Language::Zh,
            crate::i18n::Locale::ru => Language::Ru,
        }
    }

    /// The best of ours for an `Accept-Language` header ("de-CH, en;q=0.8" → German), by
    /// the header's order of preference (q-values), else `None`.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut ranked: Vec<(f32, usize, Language)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut bits = part.trim().split(';');
                let tag = bits.next()?.trim().to_ascii_lowercase();
                let q = bits
                    .find_map(|b| b.trim().strip_prefix("q=").map(str::to_string))
                    .map_or(Some(1.0), |q| q.parse::<f32>().ok())?;
                let primary = tag.split(['-', '_']).next()?;
                (q > 0.0)
                    .then(|| Language::parse(primary).map(|l| (q, i, l)))
                    .flatten()
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.first().map(|r| r.2)
    }

    /// A whole number as this language writes it: digits grouped by thousands with a comma
    /// (English, Chinese), a full stop (German) or a no-break space (Russian), as CLDR has it.
    pub fn number(self, n: i64) -> String {
        let separator = match self {
            Language::En | Language::Zh => ",",
            Language::De => ".",
            Language::Ru => "\u{a0}",
        };
        let digits = n.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 2 + 1);
        if n < 0 {
            out.push('-');
        }
        for (i, d) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(separator);
            }
            out.push(d);
        }
        out
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::De => "de",
            Language::Zh => "zh",
            Language::Ru => "ru",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "en" => Some(Language::En),
            "de" => Some(Language::De),
            "zh" => Some(Language::Zh),
            "ru" => Some(Language::Ru),
            _ => None,
        }
    }
}

#[cfg(test)]
mod language_tests {
    use super::Language;

    #[test]
    fn numbers_are_grouped_as_each_language_writes_them() {
        assert_eq!(Language::En.number(1_234_567), "1,234,567");
        assert_eq!(Language::De.number(1_234_567), "1.234.567");
        assert_eq!(Language::Zh.number(10_000), "10,000");
        assert_eq!(Language::Ru.number(10_000), "10\u{a0}000");
        assert_eq!(Language::De.number(999), "999");
        assert_eq!(Language::En.number(0), "0");
        assert_eq!(Language::De.number(-1_000), "-1.000");
        assert_eq!(Language::En.number(100_000), "100,000");
    }

    #[test]
    fn accept_language_picks_the_most_preferred_language_we_have() {
        let pick = Language::from_accept_language;
        assert_eq!(pick("de-CH, de;q=0.9, en;q=0.8"), Some(Language::De));
        assert_eq!(
            pick("fr-FR, fr;q=0.9, ru;q=0.5, en;q=0.4"),
            Some(Language::Ru)
        );
        assert_eq!(pick("en;q=0.2, zh-CN;q=0.9"), Some(Language::Zh));
        assert_eq!(pick("zh-Hans-CN"), Some(Language::Zh));
        assert_eq!(pick("fr, es"), None);
        assert_eq!(pick("de;q=0, en"), Some(Language::En));
        assert_eq!(pick(""), None);
        assert_eq!(pick("*"), None);
    }
}
