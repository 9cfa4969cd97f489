//! The key a place name is looked up by, so that every way the reports and gazetteers write a name
//! finds the same place: "Al-Bukamal", "al bukamal" and "ALBUKAMAL" agree, as do "Al Qa’im", "Al-Qaim"
//! and "qaim", and "Deir ez-Zor", "Deir az-Zor" and "Dayr al Zawr"'s own spellings.
//!
//! The key is: Unicode compatibility-decomposed, combining marks dropped (Ā → A, أ → ا), lower-cased,
//! apostrophes and ayn/hamza marks removed, every other non-alphanumeric character a word break;
//! then every Arabic article that is not the last word dropped (al, el, ad, ar, as, ash, at, az, an
//! and their e- forms), the Arabic article ال dropped from the front of a word, ة read as ه and ى as
//! ي, the kashida ـ removed; the words joined with no spaces, and a leading "al" fused to the name
//! ("Alqaim") dropped when at least four letters follow.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

const ARTICLES: &[&str] = &[
    "al", "el", "ad", "ed", "ar", "er", "as", "es", "ash", "esh", "at", "et", "az", "ez", "an",
    "en", "the",
];

/// Characters that join the letters around them rather than separate words.
fn is_glottal_mark(c: char) -> bool {
    matches!(
        c,
        '\'' | '’' | '‘' | '`' | '´' | 'ʼ' | 'ʻ' | 'ʽ' | 'ʾ' | 'ʿ' | 'ˈ' | '′' | '\u{0640}'
    )
}

/// Arabic letters written two ways in place names.
fn fold_arabic(c: char) -> char {
    match c {
        'ة' => 'ه',
        'ى' => 'ي',
        _ => c,
    }
}

/// Normalises a place name to its lookup key.
///
/// # Examples
/// ```
/// use convoy_sim::gazetteer::normalize;
/// assert_eq!(normalize("Al-Bukamal"), normalize("al bukamal"));
/// assert_eq!(normalize("ALBUKAMAL"), normalize("Al Bukamal"));
/// assert_eq!(normalize("Al Qa’im"), "qaim");
/// assert_eq!(normalize("Ālbū Kamāl"), normalize("Albu Kamal"));
/// assert_eq!(normalize("Deir ez-Zor"), normalize("Deir az Zor"));
/// ```
pub fn normalize(name: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in name.nfkd() {
        if is_combining_mark(c) || is_glottal_mark(c) {
            continue;
        }
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase().map(fold_arabic));
        } else if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    let last = words.len().saturating_sub(1);
    let mut key = String::new();
    for (i, w) in words.iter().enumerate() {
        if i < last && ARTICLES.contains(&w.as_str()) {
            continue;
        }
        match w.strip_prefix("ال") {
            Some(rest) if rest.chars().count() >= 2 => key.push_str(rest),
            _ => key.push_str(w),
        }
    }
    // "Albukamal", "Alqaim": the article written fused to the name.
    match key.strip_prefix("al") {
        Some(rest) if rest.chars().count() >= 4 => rest.to_string(),
        _ => key,
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn case_accents_apostrophes_hyphens_and_articles_do_not_matter() {
        let same = [
            ("al-bukamal", "Al Bukamal"),
            ("ABU KAMAL", "Abu Kamal"),
            ("Al Qa’im", "Al-Qaim"),
            ("Al Qaʼim", "qaim"),
            ("Albu Kamal", "Al Bu Kamal"),
            ("Albu Kamal", "Bukamal"),
            ("‘Anah", "Anah"),
            ("Deir ez-Zor", "Deir ez Zor"),
            ("Ḩuşaybah", "Husaybah"),
            ("  Palmyra ", "palmyra"),
            ("As-Sukhnah", "Sukhnah"),
            ("Es-Sukhnah", "Sukhnah"),
            ("En-Nabk", "An-Nabk"),
            ("Deir az-Zor", "Deir ez-Zor"),
            ("Deir el-Zor", "Deir al Zor"),
            ("Albukamal", "Al Bukamal"),
        ];
        for (a, b) in same {
            assert_eq!(normalize(a), normalize(b), "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn distinct_names_stay_distinct() {
        assert_ne!(normalize("Abu Kamal"), normalize("Bukamal"));
        assert_ne!(normalize("Rawa"), normalize("Aana"));
        // A lone article is a name, not an empty key.
        assert_eq!(normalize("Al"), "al");
        // Short words that begin with "al" are not split: "Alana" is not "Ana".
        assert_eq!(normalize("Ala"), "ala");
        assert_ne!(normalize("Alana"), normalize("Ana"));
    }

    #[test]
    fn arabic_spellings_agree() {
        assert_eq!(normalize("تدمر"), "تدمر");
        assert_eq!(normalize("تدمـر"), normalize("تدمر"), "kashida");
        assert_eq!(normalize("السخنة"), normalize("سخنة"), "article");
        assert_eq!(normalize("حميمه"), normalize("حميمة"), "ta marbuta");
        assert_eq!(
            normalize("أبو كمال"),
            normalize("ابو كمال"),
            "hamza on alef"
        );
    }
}
