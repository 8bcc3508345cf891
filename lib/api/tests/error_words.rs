//! Every error code the API can send has words on the pages, in every language they speak, so a
//! refusal reaches a person in their words and never as a code.

use bistro_api::code::ErrorCode;

/// The pages' word files, one per language, as `(language, file's text)`.
fn word_files() -> Vec<(&'static str, String)> {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../static-site/js");
    [("English", "words.js"), ("German", "words-de.js")]
        .into_iter()
        .map(|(language, file)| {
            let text = std::fs::read_to_string(folder.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
            (language, text)
        })
        .collect()
}

#[test]
fn every_error_code_has_words_in_every_language_the_pages_speak() {
    let mut missing = Vec::new();
    for (language, words) in word_files() {
        for code in ErrorCode::ALL {
            if !words.contains(&format!("'error.{code}':")) {
                missing.push(format!("{language}: error.{code}"));
            }
        }
    }
    assert!(missing.is_empty(), "codes without words: {missing:?}");
}

#[test]
fn the_pages_know_every_language_file_the_test_reads() {
    let (_, english) = &word_files()[0];
    assert!(english.contains("de: () => import('./words-de.js')"), "words.js no longer loads words-de.js");
}
