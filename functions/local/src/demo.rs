//! The demo restaurant seeded on first start, so a new user can order within a minute.

use std::collections::BTreeSet;

use bistro_domain::delivery::DeliveryTerms;
use bistro_domain::hours::{Interval, OpeningHours, Zone};
use bistro_domain::ids::{CategoryId, Email, ItemId, OptionGroupId, OptionId, Slug, TableId, UserId};
use bistro_domain::jiff::civil::time;
use bistro_domain::menu::{Allergen, Category, DietaryTag, ItemDetails, MenuItem, MenuOption, OptionGroup};
use bistro_domain::money::{Currency, Money, TaxMode, TaxRate};
use bistro_domain::reservation::ReservationSettings;
use bistro_domain::restaurant::{Account, OrderKinds, Restaurant, Role, Tax};
use bistro_domain::text::{Address, Description, Name};
use bistro_store::{RepoError, Repos};

use bistro_api::ApiError;
use bistro_api::auth::hash_password;

pub const SLUG: &str = "trattoria-demo";
pub const OWNER_EMAIL: &str = "owner@demo.bistro";
pub const OWNER_PASSWORD: &str = "demo-owner-password";
pub const STAFF_EMAIL: &str = "kitchen@demo.bistro";
pub const STAFF_PASSWORD: &str = "demo-kitchen-password";

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the demo data is invalid: {0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] RepoError),
    #[error(transparent)]
    Api(#[from] ApiError),
}

fn invalid(e: impl std::fmt::Display) -> DemoError {
    DemoError::Invalid(e.to_string())
}

/// In Berlin, open around the clock, so that whoever tries the demo can order at once, whatever
/// their time; a real restaurant sets its hours under Manage.
pub fn restaurant() -> Result<Restaurant, DemoError> {
    let around_the_clock = vec![Interval::new(time(0, 0, 0, 0), time(0, 0, 0, 0))];
    let weekly: [Vec<Interval>; 7] = std::array::from_fn(|_| around_the_clock.clone());
    Ok(Restaurant {
        slug: Slug::parse(SLUG).map_err(invalid)?,
        name: Name::parse("Trattoria Demo").map_err(invalid)?,
        address: Some(Address::parse("Via della Pace 4\n10115 Berlin").map_err(invalid)?),
        currency: Currency::parse("EUR").map_err(invalid)?,
        time_zone: Zone::parse("Europe/Berlin").map_err(invalid)?,
        hours: OpeningHours::new(weekly, BTreeSet::new()).map_err(invalid)?,
        order_kinds: OrderKinds { dine_in: true, pickup: true, delivery: true },
        switches: Default::default(),
        tables: (1..=12).map(|n| TableId::parse(&n.to_string())).collect::<Result<_, _>>().map_err(invalid)?,
        tax: Tax { rate: TaxRate::from_basis_points(1900).map_err(invalid)?, mode: TaxMode::Inclusive },
        reservations: ReservationSettings::new(30, 90, 24, 1, 8, 60, 60).map_err(invalid)?,
        personal_data_days: Default::default(),
        language: bistro_domain::restaurant::Language::default(),
        timing: Default::default(),
        pace: Default::default(),
        day_starts: Default::default(),
        delivery: DeliveryTerms::new(250, 1200, BTreeSet::new()).map_err(invalid)?,
        ticket_alerts: Default::default(),
        // Guests choose (at a table too); without payments online (the default) they pay at the restaurant.
        payment: {
            use bistro_domain::payment::PaymentChoice::Either;
            bistro_domain::payment::PaymentChoices { dine_in: Either, pickup: Either, delivery: Either }
        },
        payment_account: None,
        // Paying online, a guest at a table or awaiting a delivery is offered a tip.
        tips: bistro_domain::tip::Tips { dine_in: true, delivery: true, any_amount: true, ..Default::default() },
    })
}

struct Dish {
    id: &'static str,
    category: &'static str,
    name: &'static str,
    description: &'static str,
    cents: i64,
    allergens: &'static [Allergen],
    dietary: &'static [DietaryTag],
    image: Option<&'static str>,
}

const DISHES: &[Dish] = &[
    Dish {
        id: "bruschetta",
        category: "starters",
        name: "Bruschetta",
        description: "Grilled bread, tomatoes, garlic, basil, olive oil.",
        cents: 650,
        allergens: &[Allergen::Gluten],
        dietary: &[DietaryTag::Vegan],
        image: Some("r/trattoria-demo/items/bruschetta.svg"),
    },
    Dish {
        id: "burrata",
        category: "starters",
        name: "Burrata",
        description: "Apulian burrata, cherry tomatoes, pesto.",
        cents: 1150,
        allergens: &[Allergen::Milk, Allergen::Nuts],
        dietary: &[DietaryTag::Vegetarian, DietaryTag::GlutenFree],
        image: None,
    },
    Dish {
        id: "margherita",
        category: "pizza",
        name: "Pizza Margherita",
        description: "San Marzano tomatoes, fior di latte, basil.",
        cents: 1050,
        allergens: &[Allergen::Gluten, Allergen::Milk],
        dietary: &[DietaryTag::Vegetarian],
        image: Some("r/trattoria-demo/items/margherita.svg"),
    },
    Dish {
        id: "diavola",
        category: "pizza",
        name: "Pizza Diavola",
        description: "Tomatoes, mozzarella, spicy salami, chili oil.",
        cents: 1350,
        allergens: &[Allergen::Gluten, Allergen::Milk],
        dietary: &[DietaryTag::Spicy],
        image: None,
    },
    Dish {
        id: "carbonara",
        category: "pasta",
        name: "Spaghetti Carbonara",
        description: "Guanciale, egg yolk, pecorino, black pepper.",
        cents: 1400,
        allergens: &[Allergen::Gluten, Allergen::Eggs, Allergen::Milk],
        dietary: &[],
        image: None,
    },
    Dish {
        id: "vongole",
        category: "pasta",
        name: "Linguine alle Vongole",
        description: "Clams, white wine, garlic, parsley.",
        cents: 1650,
        allergens: &[Allergen::Gluten, Allergen::Molluscs, Allergen::Sulphites],
        dietary: &[],
        image: None,
    },
    Dish {
        id: "tiramisu",
        category: "desserts",
        name: "Tiramisù",
        description: "Mascarpone, espresso, savoiardi, cocoa.",
        cents: 700,
        allergens: &[Allergen::Gluten, Allergen::Eggs, Allergen::Milk],
        dietary: &[DietaryTag::Vegetarian],
        image: None,
    },
    Dish {
        id: "acqua",
        category: "drinks",
        name: "Acqua Frizzante 0.75 l",
        description: "",
        cents: 550,
        allergens: &[],
        dietary: &[DietaryTag::Vegan],
        image: None,
    },
    Dish {
        id: "limonata",
        category: "drinks",
        name: "Limonata",
        description: "House lemonade.",
        cents: 450,
        allergens: &[],
        dietary: &[DietaryTag::Vegan],
        image: None,
    },
];

fn options(currency: Currency, dish: &str) -> Result<Vec<OptionGroup>, DemoError> {
    let option = |id: &str, name: &str, cents: i64| -> Result<MenuOption, DemoError> {
        Ok(MenuOption {
            id: OptionId::parse(id).map_err(invalid)?,
            name: Name::parse(name).map_err(invalid)?,
            price_delta: Money::new(cents, currency),
        })
    };
    let group = |id: &str, name: &str, min, max, options| -> Result<OptionGroup, DemoError> {
        OptionGroup::new(
            OptionGroupId::parse(id).map_err(invalid)?,
            Name::parse(name).map_err(invalid)?,
            min,
            max,
            options,
        )
        .map_err(invalid)
    };
    Ok(match dish {
        "margherita" | "diavola" => vec![
            group(
                "size",
                "Size",
                1,
                1,
                vec![option("regular", "Regular (30 cm)", 0)?, option("large", "Large (36 cm)", 300)?],
            )?,
            group(
                "extras",
                "Extras",
                0,
                3,
                vec![
                    option("burrata", "Burrata", 350)?,
                    option("olives", "Olives", 100)?,
                    option("anchovies", "Anchovies", 150)?,
                ],
            )?,
        ],
        "carbonara" | "vongole" => {
            vec![group("pasta", "Pasta", 0, 1, vec![option("gluten-free", "Gluten-free pasta", 150)?])?]
        }
        _ => Vec::new(),
    })
}

/// The demo's pictures, drawn for it: (media key, SVG), where attached pictures live (`r/{slug}/items/`),
/// the only place the server serves pictures from.
pub const PICTURES: [(&str, &str); 2] = [
    ("r/trattoria-demo/items/bruschetta.svg", include_str!("../demo/bruschetta.svg")),
    ("r/trattoria-demo/items/margherita.svg", include_str!("../demo/margherita.svg")),
];

/// Puts the demo's pictures into the media store (idempotent).
pub async fn store_pictures(media: &dyn bistro_store::blob::BlobStore) -> Result<(), DemoError> {
    for (key, svg) in PICTURES {
        let blob = bistro_store::blob::NewBlob {
            bytes: svg.as_bytes().to_vec(),
            content_type: "image/svg+xml",
            cache_control: Some("public, max-age=86400"),
        };
        media
            .put(key, blob, bistro_store::blob::Precondition::None)
            .await
            .map_err(|e| DemoError::Invalid(e.to_string()))?;
    }
    Ok(())
}

/// Creates the demo restaurant, its owner and menu, unless it exists. Returns whether it did.
pub async fn seed(repos: &Repos) -> Result<bool, DemoError> {
    let restaurant = restaurant()?;
    let owner = account(&restaurant.slug, OWNER_EMAIL, "Demo Owner", Role::Owner, OWNER_PASSWORD)?;
    match repos.restaurants.create(&restaurant, &owner).await {
        Ok(()) => {}
        Err(RepoError::AlreadyExists) => return Ok(false),
        Err(other) => return Err(other.into()),
    }
    let slug = &restaurant.slug;
    for (position, (id, name)) in
        [("starters", "Antipasti"), ("pizza", "Pizza"), ("pasta", "Pasta"), ("desserts", "Dolci"), ("drinks", "Drinks")]
            .into_iter()
            .enumerate()
    {
        let category = Category {
            id: CategoryId::parse(id).map_err(invalid)?,
            name: Name::parse(name).map_err(invalid)?,
            description: Description::parse("").map_err(invalid)?,
            position: u32::try_from(position).unwrap_or(0) * 10,
        };
        repos.menus.put_category(slug, &category, None).await?;
    }
    for dish in DISHES {
        repos.menus.create_item(slug, &menu_item(dish, restaurant.currency)?).await?;
    }
    let kitchen = account(slug, STAFF_EMAIL, "Demo Kitchen", Role::Staff, STAFF_PASSWORD)?;
    repos.restaurants.add_account(&kitchen).await?;
    Ok(true)
}

fn account(slug: &Slug, email: &str, name: &str, role: Role, password: &str) -> Result<Account, DemoError> {
    Ok(Account {
        id: UserId::generate(),
        restaurant: slug.clone(),
        email: Email::parse(email).map_err(invalid)?,
        name: Name::parse(name).map_err(invalid)?,
        role,
        password_hash: hash_password(password)?,
        disabled: false,
        sessions: 0,
    })
}

fn menu_item(dish: &Dish, currency: Currency) -> Result<MenuItem, DemoError> {
    let details = ItemDetails {
        category: CategoryId::parse(dish.category).map_err(invalid)?,
        name: Name::parse(dish.name).map_err(invalid)?,
        description: Description::parse(dish.description).map_err(invalid)?,
        price: Money::price(dish.cents, currency).map_err(invalid)?,
        image_key: dish.image.map(bistro_domain::menu::ImageKey::parse).transpose().map_err(invalid)?,
        image_variants: Vec::new(),
        position: 0,
        allergens: dish.allergens.iter().copied().collect(),
        dietary: dish.dietary.iter().copied().collect(),
        sold_out: false,
        availability: Vec::new(),
        option_groups: options(currency, dish.id)?,
    };
    MenuItem::new(ItemId::parse(dish.id).map_err(invalid)?, details, 1).map_err(invalid)
}
