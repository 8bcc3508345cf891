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

#[test]
fn every_dietary_tag_and_allergen_has_words_in_every_language_the_pages_speak() {
    let name = |value: serde_json::Value| value.as_str().map(str::to_owned).unwrap_or_default();
    let diets = bistro_domain::menu::DietaryTag::ALL.map(|tag| format!("diet.{}", name(serde_json::json!(tag))));
    let allergens = bistro_domain::menu::Allergen::ALL.map(|a| format!("allergen.{}", name(serde_json::json!(a))));
    let mut missing = Vec::new();
    for (language, words) in word_files() {
        for key in diets.iter().chain(allergens.iter()) {
            if !words.contains(&format!("'{key}':")) {
                missing.push(format!("{language}: {key}"));
            }
        }
    }
    assert!(missing.is_empty(), "shown to guests without words: {missing:?}");
}
