//! Items as DynamoDB Streams deliver them to a Lambda function: attribute maps in DynamoDB's JSON
//! form (`{"pk": {"S": "…"}, "v": {"N": "3"}}`).

use serde_json::Value;

use crate::seam::{Item, Key};

fn string(image: &Value, name: &str) -> Option<String> {
    image.get(name)?.get("S")?.as_str().map(str::to_owned)
}

fn number<T: std::str::FromStr>(image: &Value, name: &str) -> Option<T> {
    image.get(name)?.get("N")?.as_str()?.parse().ok()
}

/// The item a stream record's image holds; `None` if it lacks its keys.
pub fn item_from_image(image: &Value) -> Option<Item> {
    let index_key = |n: u8| Some(Key::new(string(image, &format!("gsi{n}pk"))?, string(image, &format!("gsi{n}sk"))?));
    Some(Item {
        key: Key::new(string(image, "pk")?, string(image, "sk")?),
        index_keys: [index_key(1), index_key(2), index_key(3)],
        expires_at: number(image, "expires_at"),
        version: number(image, "v").unwrap_or(0),
        counter: number(image, "n").unwrap_or(0),
        body: string(image, "body").unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_image_becomes_the_item_it_holds() {
        let image =
            serde_json::json!({"pk": {"S": "R#a#EVENTS"}, "sk": {"S": "1"}, "v": {"N": "1"}, "body": {"S": "{}"}});
        let item = item_from_image(&image).expect("has keys");
        assert_eq!((item.key.pk.as_str(), item.version, item.body.as_str()), ("R#a#EVENTS", 1, "{}"));
    }

    #[test]
    fn an_image_without_keys_is_no_item() {
        assert_eq!(item_from_image(&serde_json::json!({"v": {"N": "1"}})), None);
    }
}
