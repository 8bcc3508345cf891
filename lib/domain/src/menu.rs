//! The menu: categories in order, items with prices, allergens, options and availability.

use std::collections::BTreeSet;

use jiff::Zoned;
use jiff::civil::{Time, Weekday};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ids::{CategoryId, ItemId, OptionGroupId, OptionId};
use crate::money::{Currency, Money};
use crate::text::{Description, Name};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MenuError {
    #[error("a price must not be negative")]
    NegativePrice,
    #[error("every price of an item must be in {expected}, found {found}")]
    MixedCurrency { expected: Currency, found: Currency },
    #[error("option group '{group}': {reason}")]
    OptionGroup { group: OptionGroupId, reason: String },
    #[error("option group '{0}' appears twice")]
    DuplicateGroup(OptionGroupId),
    #[error("an item has at most {max} option groups", max = MenuItem::MAX_GROUPS)]
    TooManyGroups,
    #[error("an item has at most {max} availability windows", max = MenuItem::MAX_WINDOWS)]
    TooManyWindows,
    #[error("an availability window must name at least one day")]
    WindowWithoutDays,
    #[error("image key '{0}' must be a relative path of a-z, 0-9, '/', '.', '-' and '_' (at most 256)")]
    ImageKey(String),
    #[error("there is no saved group of choices '{0}'")]
    UnknownSavedGroup(OptionGroupId),
    #[error("smaller copies of a picture need the picture, at most {max} of them, each 16 to 4096 pixels wide and of another width", max = MenuItem::MAX_VARIANTS)]
    ImageVariants,
}

/// A smaller copy of an item's picture and its width in pixels (`srcset`'s `320w`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ImageVariant {
    pub key: ImageKey,
    #[cfg_attr(feature = "openapi", schema(minimum = 16, maximum = 4096))]
    pub width: u16,
}

/// The 14 allergens EU Regulation 1169/2011 (Annex II) requires a menu to declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Allergen {
    Gluten,
    Crustaceans,
    Eggs,
    Fish,
    Peanuts,
    Soybeans,
    Milk,
    Nuts,
    Celery,
    Mustard,
    Sesame,
    Sulphites,
    Lupin,
    Molluscs,
}

impl Allergen {
    pub const ALL: [Allergen; 14] = [
        Self::Gluten,
        Self::Crustaceans,
        Self::Eggs,
        Self::Fish,
        Self::Peanuts,
        Self::Soybeans,
        Self::Milk,
        Self::Nuts,
        Self::Celery,
        Self::Mustard,
        Self::Sesame,
        Self::Sulphites,
        Self::Lupin,
        Self::Molluscs,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DietaryTag {
    Vegetarian,
    Vegan,
    GlutenFree,
    DairyFree,
    Halal,
    Kosher,
    Spicy,
}

impl DietaryTag {
    pub const ALL: [DietaryTag; 7] =
        [Self::Vegetarian, Self::Vegan, Self::GlutenFree, Self::DairyFree, Self::Halal, Self::Kosher, Self::Spicy];
}

/// A weekday in JSON ("monday"), for the windows in which an item is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Day {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl From<Weekday> for Day {
    fn from(day: Weekday) -> Self {
        match day {
            Weekday::Monday => Self::Monday,
            Weekday::Tuesday => Self::Tuesday,
            Weekday::Wednesday => Self::Wednesday,
            Weekday::Thursday => Self::Thursday,
            Weekday::Friday => Self::Friday,
            Weekday::Saturday => Self::Saturday,
            Weekday::Sunday => Self::Sunday,
        }
    }
}

/// When an item is served (breakfast 08:00–11:30 on weekdays), in the restaurant's local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AvailabilityWindow {
    /// At least one day; a day named twice counts once.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, value_type = Vec<Day>))]
    pub days: BTreeSet<Day>,
    #[serde(with = "crate::hours::clock")]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::LocalTime))]
    pub from: Time,
    /// At or before `from`: the window runs past midnight.
    #[serde(with = "crate::hours::clock")]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::LocalTime))]
    pub until: Time,
}

impl AvailabilityWindow {
    fn contains(&self, local: &Zoned) -> bool {
        let time = local.time();
        self.days.contains(&Day::from(local.weekday()))
            && if self.from < self.until {
                self.from <= time && time < self.until
            } else {
                time >= self.from || time < self.until
            }
    }
}

/// Where an item's picture is stored, relative to the media store.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ImageKey(String);

impl ImageKey {
    pub fn parse(raw: &str) -> Result<Self, MenuError> {
        let ok = !raw.is_empty()
            && raw.len() <= 256
            && !raw.starts_with('/')
            && !raw.split('/').any(|part| part.is_empty() || part == "." || part == "..")
            && raw.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "/._-".contains(c));
        if ok { Ok(Self(raw.to_owned())) } else { Err(MenuError::ImageKey(raw.to_owned())) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ImageKey {
    type Error = MenuError;
    fn try_from(raw: String) -> Result<Self, MenuError> {
        Self::parse(&raw)
    }
}

impl From<ImageKey> for String {
    fn from(key: ImageKey) -> String {
        key.0
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ImageKey {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        // A path segment that is not "." or "..", spelt without look-ahead (not every dialect has it).
        let segment = r"(?:[a-z0-9_-][a-z0-9._-]*|\.[a-z0-9_-][a-z0-9._-]*|\.\.[a-z0-9._-]+)";
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .max_length(Some(256))
            .pattern(Some(format!("^{segment}(?:/{segment})*$")))
            .description(Some("Where the item's picture is stored: the key an upload was granted."))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ImageKey {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub id: CategoryId,
    pub name: Name,
    #[serde(default)]
    pub description: Description,
    /// Categories are shown in ascending position.
    // Stated as what it is (0 to 2^32 - 1): an `int32` format would cap it at 2^31 - 1.
    #[cfg_attr(feature = "openapi", schema(value_type = u64, maximum = 4_294_967_295.0))]
    pub position: u32,
}

impl Default for Description {
    fn default() -> Self {
        Self::parse("").unwrap_or_else(|_| unreachable!("an empty description is allowed"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MenuOption {
    pub id: OptionId,
    pub name: Name,
    /// Added to the item's price per unit; may be negative ("without cheese").
    pub price_delta: Money,
}

/// A choice on an item ("Size: pick exactly 1", "Extras: up to 3").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "OptionGroupRepr", into = "OptionGroupRepr")]
pub struct OptionGroup {
    id: OptionGroupId,
    name: Name,
    min_choices: u8,
    max_choices: u8,
    options: Vec<MenuOption>,
    saved: bool,
}

/// A choice on an item: its guest picks `min_choices` to `max_choices` of its options, with
/// `min_choices <= max_choices <= the number of options` and option ids unique within the group.
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
struct OptionGroupRepr {
    id: OptionGroupId,
    name: Name,
    min_choices: u8,
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    max_choices: u8,
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 30))]
    options: Vec<MenuOption>,
    /// A copy of the restaurant's saved group of this id (`…/menu/option-groups`): it changes
    /// with that group, on every dish that has it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    saved: bool,
}

#[cfg(feature = "openapi")]
crate::schema::shaped_as!(OptionGroup, OptionGroupRepr, "OptionGroup");

impl OptionGroup {
    pub const MAX_OPTIONS: usize = 30;

    pub fn new(
        id: OptionGroupId,
        name: Name,
        min_choices: u8,
        max_choices: u8,
        options: Vec<MenuOption>,
    ) -> Result<Self, MenuError> {
        let fail = |reason: &str| Err(MenuError::OptionGroup { group: id.clone(), reason: reason.to_owned() });
        if options.is_empty() || options.len() > Self::MAX_OPTIONS {
            return fail("must have between 1 and 30 options");
        }
        if max_choices == 0 || min_choices > max_choices || usize::from(max_choices) > options.len() {
            return fail("needs 0 <= min_choices <= max_choices <= number of options, and max_choices >= 1");
        }
        let unique: BTreeSet<&OptionId> = options.iter().map(|o| &o.id).collect();
        if unique.len() != options.len() {
            return fail("option ids must be unique within the group");
        }
        Ok(Self { id, name, min_choices, max_choices, options, saved: false })
    }

    /// This group as a dish's copy of the saved group of its id.
    pub fn as_saved(self) -> Self {
        Self { saved: true, ..self }
    }

    /// Whether this is a dish's copy of a saved group.
    pub fn is_saved(&self) -> bool {
        self.saved
    }

    pub fn id(&self) -> &OptionGroupId {
        &self.id
    }
    pub fn name(&self) -> &Name {
        &self.name
    }
    pub fn min_choices(&self) -> u8 {
        self.min_choices
    }
    pub fn max_choices(&self) -> u8 {
        self.max_choices
    }
    pub fn options(&self) -> &[MenuOption] {
        &self.options
    }
    pub fn option(&self, id: &OptionId) -> Option<&MenuOption> {
        self.options.iter().find(|o| &o.id == id)
    }
}

impl TryFrom<OptionGroupRepr> for OptionGroup {
    type Error = MenuError;
    fn try_from(r: OptionGroupRepr) -> Result<Self, MenuError> {
        let group = Self::new(r.id, r.name, r.min_choices, r.max_choices, r.options)?;
        Ok(if r.saved { group.as_saved() } else { group })
    }
}

impl From<OptionGroup> for OptionGroupRepr {
    fn from(g: OptionGroup) -> Self {
        Self {
            id: g.id,
            name: g.name,
            min_choices: g.min_choices,
            max_choices: g.max_choices,
            options: g.options,
            saved: g.saved,
        }
    }
}

/// What a manager writes for an item; `MenuItem::new` checks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ItemDetails {
    pub category: CategoryId,
    pub name: Name,
    #[serde(default)]
    pub description: Description,
    /// Not negative; option groups' prices are in the same currency.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::Price))]
    pub price: Money,
    #[serde(default)]
    pub image_key: Option<ImageKey>,
    /// Smaller copies of the picture, each with its width, so a phone loads the size it shows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(max_items = 4))]
    pub image_variants: Vec<ImageVariant>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Allergen>))]
    pub allergens: BTreeSet<Allergen>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<DietaryTag>))]
    pub dietary: BTreeSet<DietaryTag>,
    #[serde(default)]
    pub sold_out: bool,
    /// Empty: served whenever the restaurant is open.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 7))]
    pub availability: Vec<AvailabilityWindow>,
    /// Within its category, items are shown in ascending position, then by name.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = u64, maximum = 4_294_967_295.0))]
    pub position: u32,
    /// Group ids unique within the item.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 10))]
    pub option_groups: Vec<OptionGroup>,
}

impl ItemDetails {
    /// Every picture file the item shows: its picture and the smaller copies.
    pub fn pictures(&self) -> impl Iterator<Item = &ImageKey> {
        self.image_key.iter().chain(self.image_variants.iter().map(|v| &v.key))
    }
}

/// A dish or drink. `version` rises by one with every change, so two managers editing the same
/// item cannot overwrite each other unnoticed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "MenuItemRepr", into = "MenuItemRepr")]
pub struct MenuItem {
    id: ItemId,
    details: ItemDetails,
    version: u64,
}

#[derive(Serialize, Deserialize)]
struct MenuItemRepr {
    id: ItemId,
    #[serde(flatten)]
    details: ItemDetails,
    version: u64,
}

/// The item's details with its `id` and `version` beside them. Written out rather than derived:
/// the derived form of a flattened struct (`allOf`) would keep the details' "no other fields"
/// and so forbid the very `id` and `version` beside them.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for MenuItem {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::ToSchema;
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
        use utoipa::openapi::{Ref, RefOr};
        let details = <ItemDetails as utoipa::PartialSchema>::schema();
        let RefOr::T(Schema::Object(mut object)) = details else { return details };
        object.properties.insert("id".to_owned(), RefOr::Ref(Ref::from_schema_name(ItemId::name())));
        let version = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(0))
            .description(Some("Rises by one with every change; send it back when changing the item."));
        object.properties.insert("version".to_owned(), version.into());
        object.required.extend(["id".to_owned(), "version".to_owned()]);
        object.description = Some("A dish or drink on the menu.".to_owned());
        RefOr::T(Schema::Object(object))
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for MenuItem {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        schemas.push((ItemId::name().into_owned(), <ItemId as utoipa::PartialSchema>::schema()));
        <ItemDetails as utoipa::ToSchema>::schemas(schemas);
    }
}

impl MenuItem {
    pub const MAX_GROUPS: usize = 10;
    pub const MAX_WINDOWS: usize = 7;
    pub const MAX_VARIANTS: usize = 4;

    pub fn new(id: ItemId, details: ItemDetails, version: u64) -> Result<Self, MenuError> {
        if details.price.is_negative() {
            return Err(MenuError::NegativePrice);
        }
        let currency = details.price.currency;
        for group in &details.option_groups {
            if let Some(found) = group.options.iter().map(|o| o.price_delta.currency).find(|c| *c != currency) {
                return Err(MenuError::MixedCurrency { expected: currency, found });
            }
        }
        if details.option_groups.len() > Self::MAX_GROUPS {
            return Err(MenuError::TooManyGroups);
        }
        let mut seen = BTreeSet::new();
        if let Some(dup) = details.option_groups.iter().find(|g| !seen.insert(&g.id)) {
            return Err(MenuError::DuplicateGroup(dup.id.clone()));
        }
        if details.availability.len() > Self::MAX_WINDOWS {
            return Err(MenuError::TooManyWindows);
        }
        if details.availability.iter().any(|w| w.days.is_empty()) {
            return Err(MenuError::WindowWithoutDays);
        }
        let variants = &details.image_variants;
        let widths: BTreeSet<u16> = variants.iter().map(|v| v.width).collect();
        let variants_ok = variants.is_empty()
            || (details.image_key.is_some()
                && variants.len() <= Self::MAX_VARIANTS
                && widths.len() == variants.len()
                && widths.iter().all(|w| (16..=4096).contains(w)));
        if !variants_ok {
            return Err(MenuError::ImageVariants);
        }
        Ok(Self { id, details, version })
    }

    pub fn id(&self) -> &ItemId {
        &self.id
    }
    pub fn details(&self) -> &ItemDetails {
        &self.details
    }
    pub fn version(&self) -> u64 {
        self.version
    }
    pub fn price(&self) -> Money {
        self.details.price
    }
    pub fn is_sold_out(&self) -> bool {
        self.details.sold_out
    }

    /// The same item with new details and the next version.
    pub fn revised(&self, details: ItemDetails) -> Result<Self, MenuError> {
        Self::new(self.id.clone(), details, self.version + 1)
    }

    pub fn with_sold_out(&self, sold_out: bool) -> Self {
        let mut details = self.details.clone();
        details.sold_out = sold_out;
        Self { id: self.id.clone(), details, version: self.version + 1 }
    }

    pub fn group(&self, id: &OptionGroupId) -> Option<&OptionGroup> {
        self.details.option_groups.iter().find(|g| &g.id == id)
    }

    /// Whether the item is served at this local time (ignores opening hours and sold-out).
    pub fn is_served_at(&self, local: &Zoned) -> bool {
        self.details.availability.is_empty() || self.details.availability.iter().any(|w| w.contains(local))
    }
}

impl TryFrom<MenuItemRepr> for MenuItem {
    type Error = MenuError;
    fn try_from(r: MenuItemRepr) -> Result<Self, MenuError> {
        Self::new(r.id, r.details, r.version)
    }
}

impl From<MenuItem> for MenuItemRepr {
    fn from(item: MenuItem) -> Self {
        Self { id: item.id, details: item.details, version: item.version }
    }
}

/// A restaurant's whole menu: categories in display order and items by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Menu {
    categories: Vec<Category>,
    items: std::collections::BTreeMap<ItemId, MenuItem>,
}

impl Menu {
    pub fn new(mut categories: Vec<Category>, items: Vec<MenuItem>) -> Self {
        categories.sort_by(|a, b| (a.position, &a.id).cmp(&(b.position, &b.id)));
        Self { categories, items: items.into_iter().map(|item| (item.id.clone(), item)).collect() }
    }

    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    pub fn item(&self, id: &ItemId) -> Option<&MenuItem> {
        self.items.get(id)
    }

    /// Items in category order, then by name.
    pub fn items(&self) -> Vec<&MenuItem> {
        let position =
            |item: &MenuItem| self.categories.iter().position(|c| c.id == item.details.category).unwrap_or(usize::MAX);
        let mut items: Vec<&MenuItem> = self.items.values().collect();
        items.sort_by(|a, b| {
            (position(a), a.details.position, a.details.name.as_str(), &a.id).cmp(&(
                position(b),
                b.details.position,
                b.details.name.as_str(),
                &b.id,
            ))
        });
        items
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{eur, item, option, pizza_with_sizes};
    use jiff::civil::time;

    #[test]
    fn a_group_asking_for_more_choices_than_it_offers_is_refused() {
        let result = OptionGroup::new(
            OptionGroupId::parse("extras").expect("id"),
            Name::parse("Extras").expect("name"),
            0,
            3,
            vec![option("olives", 50)],
        );
        assert!(matches!(result, Err(MenuError::OptionGroup { .. })));
    }

    #[test]
    fn an_option_priced_in_another_currency_is_refused() {
        let mut details = pizza_with_sizes().details().clone();
        let usd = Currency::parse("USD").expect("USD");
        details.option_groups = vec![
            OptionGroup::new(
                OptionGroupId::parse("extras").expect("id"),
                Name::parse("Extras").expect("name"),
                0,
                1,
                vec![MenuOption {
                    id: OptionId::parse("a").expect("id"),
                    name: Name::parse("A").expect("n"),
                    price_delta: Money::new(1, usd),
                }],
            )
            .expect("group"),
        ];
        assert_eq!(
            MenuItem::new(ItemId::parse("p").expect("id"), details, 1),
            Err(MenuError::MixedCurrency { expected: eur(), found: usd })
        );
    }

    #[test]
    fn revising_an_item_raises_its_version() {
        let pizza = pizza_with_sizes();
        let revised = pizza.revised(pizza.details().clone()).expect("valid");
        assert_eq!(revised.version(), pizza.version() + 1);
    }

    #[test]
    fn an_item_with_a_window_is_served_only_inside_it() {
        let mut details = item("croissant", 250).details().clone();
        details.availability =
            vec![AvailabilityWindow { days: [Day::Monday].into(), from: time(8, 0, 0, 0), until: time(11, 30, 0, 0) }];
        let croissant = MenuItem::new(ItemId::parse("croissant").expect("id"), details, 1).expect("valid");
        let monday_morning: Zoned = "2026-11-23T09:00[Europe/Berlin]".parse().expect("zoned");
        let monday_noon: Zoned = "2026-11-23T12:00[Europe/Berlin]".parse().expect("zoned");
        let tuesday_morning: Zoned = "2026-11-24T09:00[Europe/Berlin]".parse().expect("zoned");
        assert!(croissant.is_served_at(&monday_morning));
        assert!(!croissant.is_served_at(&monday_noon));
        assert!(!croissant.is_served_at(&tuesday_morning));
    }

    #[test]
    fn items_are_listed_by_their_position_in_the_category_then_by_name() {
        let placed = |id: &str, position: u32| {
            let mut details = item(id, 100).details().clone();
            details.position = position;
            MenuItem::new(ItemId::parse(id).expect("id"), details, 1).expect("valid")
        };
        let mains = Category {
            id: CategoryId::parse("mains").expect("id"),
            name: Name::parse("Mains").expect("name"),
            description: Default::default(),
            position: 1,
        };
        let menu = Menu::new(vec![mains], vec![placed("bread", 20), placed("soup", 10), placed("antipasti", 20)]);

        let order: Vec<&str> = menu.items().iter().map(|i| i.id().as_str()).collect();

        assert_eq!(order, ["soup", "antipasti", "bread"]);
    }

    #[test]
    fn smaller_copies_of_a_picture_need_the_picture() {
        let mut details = item("soup", 100).details().clone();
        details.image_variants =
            vec![ImageVariant { key: ImageKey::parse("r/roma/items/a.jpg").expect("key"), width: 320 }];
        assert_eq!(
            MenuItem::new(ItemId::parse("soup").expect("id"), details.clone(), 1),
            Err(MenuError::ImageVariants)
        );
        details.image_key = Some(ImageKey::parse("r/roma/items/b.jpg").expect("key"));
        assert!(MenuItem::new(ItemId::parse("soup").expect("id"), details, 1).is_ok());
    }

    #[test]
    fn an_image_key_may_not_climb_out_of_its_folder() {
        assert!(ImageKey::parse("r/roma/../../etc/passwd").is_err());
        assert!(ImageKey::parse("/abs.jpg").is_err());
        assert!(ImageKey::parse("r/roma/items/pizza-1.webp").is_ok());
    }

    #[test]
    fn an_item_round_trips_through_json_with_its_version() {
        let pizza = pizza_with_sizes();
        let json = serde_json::to_value(&pizza).expect("serializes");
        assert_eq!(json["version"], 1);
        assert_eq!(serde_json::from_value::<MenuItem>(json).expect("parses"), pizza);
    }
}
