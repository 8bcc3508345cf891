//! A cart and its pricing. Prices come only from the menu: whatever a client claims is ignored
//! because a client never gets to say it.

use std::collections::BTreeMap;

use jiff::Zoned;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ids::{ItemId, OptionGroupId, OptionId};
use crate::menu::{Menu, MenuItem};
use crate::money::{Money, MoneyError, TaxMode, TaxRate, Totals};
use crate::text::{Name, Note};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CartError {
    #[error("item '{0}' is not on the menu")]
    UnknownItem(ItemId),
    #[error("item '{0}' is sold out")]
    SoldOut(ItemId),
    #[error("item '{0}' is not served at this time")]
    Unavailable(ItemId),
    #[error("item '{item}' has no option '{option}' in group '{group}'")]
    UnknownOption { item: ItemId, group: OptionGroupId, option: OptionId },
    #[error("item '{item}': option '{option}' of group '{group}' is chosen twice")]
    DuplicateOption { item: ItemId, group: OptionGroupId, option: OptionId },
    #[error("item '{item}': group '{group}' needs at least {min} choice(s)")]
    TooFewChoices { item: ItemId, group: OptionGroupId, min: u8 },
    #[error("item '{item}': group '{group}' allows at most {max} choice(s)")]
    TooManyChoices { item: ItemId, group: OptionGroupId, max: u8 },
    #[error("a cart holds at most {max} lines", max = Cart::MAX_LINES)]
    TooManyLines,
    #[error("the cart has no line {0}")]
    NoSuchLine(usize),
    #[error("the cart is empty")]
    Empty,
    /// The same dish added again would make one line of more than a line holds.
    #[error(transparent)]
    Quantity(#[from] QuantityError),
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// How many of a line: 1 to 99.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Quantity(u32);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("a quantity must be between 1 and {max}, got {0}", max = Quantity::MAX)]
pub struct QuantityError(pub u32);

impl Quantity {
    pub const MAX: u32 = 99;

    pub fn new(n: u32) -> Result<Self, QuantityError> {
        if (1..=Self::MAX).contains(&n) { Ok(Self(n)) } else { Err(QuantityError(n)) }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for Quantity {
    type Error = QuantityError;
    fn try_from(n: u32) -> Result<Self, QuantityError> {
        Self::new(n)
    }
}

impl From<Quantity> for u32 {
    fn from(q: Quantity) -> u32 {
        q.0
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Quantity {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::schema::integer(1, Self::MAX, "How many of a line: 1 to 99.")
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Quantity {}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub group: OptionGroupId,
    pub option: OptionId,
}

/// A line as the customer asks for it: no prices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CartLine {
    pub item: ItemId,
    #[serde(default)]
    pub choices: Vec<Choice>,
    pub quantity: Quantity,
    #[serde(default)]
    pub note: Option<Note>,
}

/// A guest's lines, in the order they were added.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cart {
    lines: Vec<CartLine>,
}

impl Cart {
    pub const MAX_LINES: usize = 50;

    pub fn lines(&self) -> &[CartLine] {
        &self.lines
    }

    /// Adds a line. The same dish with the same choices (in any order) and the same note adds
    /// to that line's quantity instead: one line per thing ordered, as the guest expects.
    pub fn add(&mut self, line: CartLine) -> Result<(), CartError> {
        let same = |other: &CartLine| {
            let sorted = |l: &CartLine| {
                let mut choices = l.choices.clone();
                choices.sort();
                choices
            };
            other.item == line.item && other.note == line.note && sorted(other) == sorted(&line)
        };
        if let Some(existing) = self.lines.iter_mut().find(|l| same(l)) {
            existing.quantity = Quantity::new(existing.quantity.get() + line.quantity.get())?;
            return Ok(());
        }
        if self.lines.len() >= Self::MAX_LINES {
            return Err(CartError::TooManyLines);
        }
        self.lines.push(line);
        Ok(())
    }

    pub fn replace(&mut self, index: usize, line: CartLine) -> Result<(), CartError> {
        let slot = self.lines.get_mut(index).ok_or(CartError::NoSuchLine(index))?;
        *slot = line;
        Ok(())
    }

    pub fn remove(&mut self, index: usize) -> Result<CartLine, CartError> {
        if index < self.lines.len() { Ok(self.lines.remove(index)) } else { Err(CartError::NoSuchLine(index)) }
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

impl TryFrom<Vec<CartLine>> for Cart {
    type Error = CartError;
    fn try_from(lines: Vec<CartLine>) -> Result<Self, CartError> {
        if lines.len() > Self::MAX_LINES { Err(CartError::TooManyLines) } else { Ok(Self { lines }) }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PricedChoice {
    pub group: OptionGroupId,
    pub option: OptionId,
    pub name: Name,
    pub price_delta: Money,
}

/// A line with the names and prices the menu had when it was priced: frozen into an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PricedLine {
    pub item: ItemId,
    pub name: Name,
    pub choices: Vec<PricedChoice>,
    pub quantity: Quantity,
    pub note: Option<Note>,
    pub unit_price: Money,
    pub line_total: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PricedCart {
    pub lines: Vec<PricedLine>,
    /// What a delivery costs on top of the lines; absent for other orders and free deliveries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_fee: Option<Money>,
    pub totals: Totals,
}

impl PricedCart {
    /// The lines' sum: what a delivery's minimum is measured against.
    pub fn food(&self) -> Result<Money, crate::money::MoneyError> {
        let start = Money::zero(self.totals.subtotal.currency);
        self.lines.iter().try_fold(start, |sum, line| sum.checked_add(line.line_total))
    }

    /// The same order with a delivery fee as a line of its own, and tax and total over both.
    pub fn with_delivery_fee(self, fee: Money) -> Result<PricedCart, crate::money::MoneyError> {
        let subtotal = self.totals.subtotal.checked_add(fee)?;
        let totals = Totals::compute(subtotal, self.totals.tax_rate, self.totals.tax_mode)?;
        Ok(PricedCart { lines: self.lines, delivery_fee: Some(fee), totals })
    }
}

/// What pricing needs to know about the restaurant.
#[derive(Debug, Clone, Copy)]
pub struct PricingRules {
    pub currency: crate::money::Currency,
    pub tax_rate: TaxRate,
    pub tax_mode: TaxMode,
}

/// Prices `cart` from the menu as it is at local time `at`. `menu` looks an item up by id.
pub fn price(cart: &Cart, menu: &Menu, rules: PricingRules, at: &Zoned) -> Result<PricedCart, CartError> {
    let lines = cart.lines.iter().map(|line| price_line(line, menu, at)).collect::<Result<Vec<_>, _>>()?;
    let subtotal = lines.iter().try_fold(Money::zero(rules.currency), |sum, line| sum.checked_add(line.line_total))?;
    let totals = Totals::compute(subtotal, rules.tax_rate, rules.tax_mode)?;
    Ok(PricedCart { lines, delivery_fee: None, totals })
}

fn price_line(line: &CartLine, menu: &Menu, at: &Zoned) -> Result<PricedLine, CartError> {
    let item = menu.item(&line.item).ok_or_else(|| CartError::UnknownItem(line.item.clone()))?;
    if item.is_sold_out() {
        return Err(CartError::SoldOut(line.item.clone()));
    }
    if !item.is_served_at(at) {
        return Err(CartError::Unavailable(line.item.clone()));
    }
    let choices = priced_choices(item, &line.choices)?;
    let unit_price = choices.iter().try_fold(item.price(), |sum, c| sum.checked_add(c.price_delta))?;
    if unit_price.is_negative() {
        return Err(CartError::Money(MoneyError::Negative));
    }
    Ok(PricedLine {
        item: line.item.clone(),
        name: item.details().name.clone(),
        choices,
        quantity: line.quantity,
        note: line.note.clone(),
        unit_price,
        line_total: unit_price.checked_mul(line.quantity.get())?,
    })
}

fn priced_choices(item: &MenuItem, chosen: &[Choice]) -> Result<Vec<PricedChoice>, CartError> {
    let mut per_group: BTreeMap<&OptionGroupId, Vec<&OptionId>> = BTreeMap::new();
    let mut priced = Vec::with_capacity(chosen.len());
    for choice in chosen {
        let unknown = || CartError::UnknownOption {
            item: item.id().clone(),
            group: choice.group.clone(),
            option: choice.option.clone(),
        };
        let group = item.group(&choice.group).ok_or_else(unknown)?;
        let option = group.option(&choice.option).ok_or_else(unknown)?;
        let picked = per_group.entry(group.id()).or_default();
        if picked.contains(&&option.id) {
            return Err(CartError::DuplicateOption {
                item: item.id().clone(),
                group: group.id().clone(),
                option: option.id.clone(),
            });
        }
        picked.push(&option.id);
        priced.push(PricedChoice {
            group: group.id().clone(),
            option: option.id.clone(),
            name: option.name.clone(),
            price_delta: option.price_delta,
        });
    }
    for group in &item.details().option_groups {
        let count = per_group.get(group.id()).map_or(0, Vec::len);
        if count < usize::from(group.min_choices()) {
            return Err(CartError::TooFewChoices {
                item: item.id().clone(),
                group: group.id().clone(),
                min: group.min_choices(),
            });
        }
        if count > usize::from(group.max_choices()) {
            return Err(CartError::TooManyChoices {
                item: item.id().clone(),
                group: group.id().clone(),
                max: group.max_choices(),
            });
        }
    }
    Ok(priced)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    fn menu_of(items: &[MenuItem]) -> Menu {
        Menu::new(Vec::new(), items.to_vec())
    }

    fn rules(mode: TaxMode) -> PricingRules {
        PricingRules { currency: eur(), tax_rate: TaxRate::from_basis_points(1000).expect("10 %"), tax_mode: mode }
    }

    fn noon() -> Zoned {
        "2026-11-23T12:00[Europe/Berlin]".parse().expect("zoned")
    }

    fn cart(lines: Vec<CartLine>) -> Cart {
        Cart::try_from(lines).expect("few lines")
    }

    #[test]
    fn options_add_their_deltas_to_the_unit_price() {
        let items = [pizza_with_sizes()];
        let c = cart(vec![line("pizza", &[("size", "large"), ("extras", "olives")], 2)]);
        let priced = price(&c, &menu_of(&items), rules(TaxMode::Inclusive), &noon()).expect("prices");
        // 9.00 + 3.00 (large) + 0.50 (olives) = 12.50, times 2.
        assert_eq!(priced.lines[0].unit_price.minor, 1250);
        assert_eq!(priced.totals.subtotal.minor, 2500);
    }

    #[test]
    fn inclusive_tax_leaves_the_total_at_the_menu_prices() {
        let items = [item("water", 1100)];
        let priced = price(&cart(vec![line("water", &[], 1)]), &menu_of(&items), rules(TaxMode::Inclusive), &noon())
            .expect("prices");
        assert_eq!((priced.totals.tax.minor, priced.totals.total.minor), (100, 1100));
    }

    #[test]
    fn exclusive_tax_is_added_on_top() {
        let items = [item("water", 1000)];
        let priced = price(&cart(vec![line("water", &[], 1)]), &menu_of(&items), rules(TaxMode::Exclusive), &noon())
            .expect("prices");
        assert_eq!((priced.totals.tax.minor, priced.totals.total.minor), (100, 1100));
    }

    #[test]
    fn a_sold_out_item_is_refused_by_name() {
        let items = [item("tiramisu", 600).with_sold_out(true)];
        let result = price(&cart(vec![line("tiramisu", &[], 1)]), &menu_of(&items), rules(TaxMode::Inclusive), &noon());
        assert_eq!(result, Err(CartError::SoldOut(ItemId::parse("tiramisu").expect("id"))));
    }

    #[test]
    fn an_unknown_item_is_refused_by_name() {
        let result = price(&cart(vec![line("ghost", &[], 1)]), &menu_of(&[]), rules(TaxMode::Inclusive), &noon());
        assert_eq!(result, Err(CartError::UnknownItem(ItemId::parse("ghost").expect("id"))));
    }

    #[test]
    fn a_required_choice_left_out_is_refused() {
        let items = [pizza_with_sizes()];
        let result = price(&cart(vec![line("pizza", &[], 1)]), &menu_of(&items), rules(TaxMode::Inclusive), &noon());
        assert!(matches!(result, Err(CartError::TooFewChoices { min: 1, .. })));
    }

    #[test]
    fn too_many_choices_in_a_group_are_refused() {
        let items = [pizza_with_sizes()];
        let c = cart(vec![line("pizza", &[("size", "small"), ("size", "large")], 1)]);
        assert!(matches!(
            price(&c, &menu_of(&items), rules(TaxMode::Inclusive), &noon()),
            Err(CartError::TooManyChoices { max: 1, .. })
        ));
    }

    #[test]
    fn the_same_option_twice_is_refused() {
        let items = [pizza_with_sizes()];
        let c = cart(vec![line("pizza", &[("size", "small"), ("extras", "olives"), ("extras", "olives")], 1)]);
        assert!(matches!(
            price(&c, &menu_of(&items), rules(TaxMode::Inclusive), &noon()),
            Err(CartError::DuplicateOption { .. })
        ));
    }

    #[test]
    fn an_option_of_another_group_is_refused() {
        let items = [pizza_with_sizes()];
        let c = cart(vec![line("pizza", &[("size", "olives")], 1)]);
        assert!(matches!(
            price(&c, &menu_of(&items), rules(TaxMode::Inclusive), &noon()),
            Err(CartError::UnknownOption { .. })
        ));
    }

    #[test]
    fn a_cart_may_not_grow_past_its_limit() {
        let mut c = Cart::default();
        for n in 0..Cart::MAX_LINES {
            c.add(line(&format!("water-{n}"), &[], 1)).expect("room");
        }
        assert_eq!(c.add(line("juice", &[], 1)), Err(CartError::TooManyLines));
    }

    #[test]
    fn the_same_dish_with_the_same_choices_in_any_order_adds_to_its_line() {
        let mut c = Cart::default();
        c.add(line("pizza", &[("size", "large"), ("extras", "olives")], 1)).expect("room");
        c.add(line("pizza", &[("extras", "olives"), ("size", "large")], 2)).expect("room");
        assert_eq!(c.lines().len(), 1);
        assert_eq!(c.lines()[0].quantity.get(), 3);
    }

    #[test]
    fn another_choice_or_another_note_makes_another_line() {
        let mut c = Cart::default();
        c.add(line("pizza", &[("size", "large")], 1)).expect("room");
        c.add(line("pizza", &[("size", "regular")], 1)).expect("room");
        let mut noted = line("pizza", &[("size", "large")], 1);
        noted.note = Some(crate::text::Note::parse("no basil").expect("a note"));
        c.add(noted).expect("room");
        assert_eq!(c.lines().len(), 3);
    }

    #[test]
    fn adding_to_a_line_past_ninety_nine_is_refused_and_changes_nothing() {
        let mut c = Cart::default();
        c.add(line("water", &[], 98)).expect("room");
        assert_eq!(c.add(line("water", &[], 2)), Err(CartError::Quantity(QuantityError(100))));
        assert_eq!(c.lines()[0].quantity.get(), 98);
    }

    #[test]
    fn quantities_outside_one_to_ninety_nine_are_refused() {
        assert!(Quantity::new(0).is_err());
        assert!(Quantity::new(100).is_err());
        assert!(serde_json::from_str::<Quantity>("-1").is_err());
    }
}
