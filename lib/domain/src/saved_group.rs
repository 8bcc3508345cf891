//! Groups of choices a restaurant saves once and gives to many dishes ("Spice level" on every
//! curry). Each dish holds a copy marked `saved`; changing the saved group changes every copy
//! at once (the store writes them in one transaction), so a cart prices a dish's choices as it
//! always does, from the dish.

use crate::ids::OptionGroupId;
use crate::menu::{ItemDetails, MenuError, MenuItem, OptionGroup};

impl ItemDetails {
    /// These details with each saved copy made the restaurant's saved group as it is now, as a
    /// dish is stored: a copy of a group that is not saved is refused.
    pub fn with_saved_groups(mut self, saved: &[OptionGroup]) -> Result<Self, MenuError> {
        for group in self.option_groups.iter_mut().filter(|g| g.is_saved()) {
            let current = saved
                .iter()
                .find(|s| s.id() == group.id())
                .ok_or_else(|| MenuError::UnknownSavedGroup(group.id().clone()))?;
            *group = current.clone().as_saved();
        }
        Ok(self)
    }
}

impl MenuItem {
    /// Whether the dish holds a copy of the saved group `id`.
    pub fn uses_saved_group(&self, id: &OptionGroupId) -> bool {
        self.details().option_groups.iter().any(|g| g.is_saved() && g.id() == id)
    }

    /// The dish at its next version with its copy of the saved `group` made `group` as it is
    /// now; `None` when it holds no copy of it.
    pub fn with_saved_group(&self, group: &OptionGroup) -> Result<Option<MenuItem>, MenuError> {
        if !self.uses_saved_group(group.id()) {
            return Ok(None);
        }
        let mut details = self.details().clone();
        for copy in details.option_groups.iter_mut().filter(|g| g.is_saved() && g.id() == group.id()) {
            *copy = group.clone().as_saved();
        }
        self.revised(details).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::OptionId;
    use crate::menu::MenuOption;
    use crate::money::{Currency, Money};
    use crate::text::Name;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::parse("EUR").expect("currency"))
    }

    fn spice(hot_costs: i64) -> OptionGroup {
        let option = |id: &str, minor| MenuOption {
            id: OptionId::parse(id).expect("id"),
            name: Name::parse(id).expect("name"),
            price_delta: eur(minor),
        };
        OptionGroup::new(
            OptionGroupId::parse("spice").expect("id"),
            Name::parse("Spice level").expect("name"),
            1,
            1,
            vec![option("mild", 0), option("hot", hot_costs)],
        )
        .expect("group")
    }

    fn dish(groups: Vec<OptionGroup>) -> MenuItem {
        let mut item = crate::test_support::item("curry", 1200);
        let mut details = item.details().clone();
        details.option_groups = groups;
        item = MenuItem::new(item.id().clone(), details, 1).expect("dish");
        item
    }

    #[test]
    fn a_saved_group_changed_once_changes_the_copy_on_a_dish_that_has_it() {
        let curry = dish(vec![spice(0).as_saved()]);
        let changed = curry.with_saved_group(&spice(150)).expect("valid").expect("has it");
        let hot = changed.details().option_groups[0].option(&OptionId::parse("hot").expect("id")).expect("hot");
        assert_eq!(hot.price_delta, eur(150));
        assert!(changed.details().option_groups[0].is_saved());
        assert_eq!(changed.version(), curry.version() + 1);
    }

    #[test]
    fn a_dish_with_its_own_group_of_the_same_id_is_left_alone() {
        let own = dish(vec![spice(0)]);
        assert_eq!(own.with_saved_group(&spice(150)), Ok(None));
    }

    #[test]
    fn a_dish_stored_with_a_copy_takes_the_saved_group_as_it_is_and_one_not_saved_is_refused() {
        let details = dish(vec![spice(999).as_saved()]).details().clone();
        let stored = details.clone().with_saved_groups(&[spice(150)]).expect("saved exists");
        let hot = stored.option_groups[0].option(&OptionId::parse("hot").expect("id")).expect("hot");
        assert_eq!(hot.price_delta, eur(150), "the saved group's price, not the copy's");
        assert_eq!(
            details.with_saved_groups(&[]),
            Err(MenuError::UnknownSavedGroup(OptionGroupId::parse("spice").expect("id")))
        );
    }

    #[test]
    fn a_saved_copy_is_written_as_saved_and_read_back_so() {
        let json = serde_json::to_value(spice(0).as_saved()).expect("json");
        assert_eq!(json["saved"], serde_json::Value::Bool(true));
        assert!(serde_json::to_value(spice(0)).expect("json").get("saved").is_none());
        let read: OptionGroup = serde_json::from_value(json).expect("read");
        assert!(read.is_saved());
    }
}
