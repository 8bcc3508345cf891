//! A restaurant's staff over time: roles change, accounts are disabled or removed, passwords are
//! reset, ownership is handed over. Every change that takes rights away ends the account's
//! sessions (its tokens carry the session number they were issued under), and no change may
//! leave the restaurant without an owner who can sign in.

use thiserror::Error;

use crate::ids::UserId;
use crate::restaurant::{Account, Role};

/// One change an owner makes to one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffChange {
    Role(Role),
    Disable,
    Enable,
    Remove,
    /// A new password hash (hashing is the API's job): set by the owner or by the account itself.
    Password(String),
    /// Ends every session of the account, on every device (logging out everywhere).
    EndSessions,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StaffError {
    #[error("no account with this id works here")]
    UnknownAccount,
    #[error("the restaurant needs an owner who can sign in; make someone else owner first")]
    LastOwner,
    #[error("hand ownership to someone else, not to yourself")]
    HandOverToSelf,
    #[error("a disabled account cannot be made owner; enable it first")]
    DisabledOwner,
}

/// What a set of changes decided, for the store to write in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Accounts as they are after the changes.
    pub changed: Vec<Account>,
    /// Accounts that no longer exist.
    pub removed: Vec<Account>,
    /// The owners, unchanged here, that the decision counts on to still be owners who can sign
    /// in: if one of them changed meanwhile, the decision no longer holds.
    pub owners_kept: Vec<UserId>,
}

impl Account {
    /// An owner who can sign in.
    pub fn is_active_owner(&self) -> bool {
        self.role == Role::Owner && !self.disabled
    }

    /// Every token issued before this is refused from now on.
    pub fn end_sessions(&mut self) {
        self.sessions += 1;
    }
}

/// Applies `changes`, in order, to the restaurant's `roster` (every account it has).
pub fn decide(roster: &[Account], changes: Vec<(UserId, StaffChange)>) -> Result<Decision, StaffError> {
    let mut after: Vec<Option<Account>> = roster.iter().cloned().map(Some).collect();
    let mut touched = Vec::new();
    for (user, change) in changes {
        let index = roster.iter().position(|a| a.id == user).ok_or(StaffError::UnknownAccount)?;
        let account = after[index].as_mut().ok_or(StaffError::UnknownAccount)?;
        match change {
            StaffChange::Role(role) if role == account.role => {}
            StaffChange::Role(role) => {
                if role == Role::Owner && account.disabled {
                    return Err(StaffError::DisabledOwner);
                }
                account.role = role;
                account.end_sessions();
            }
            StaffChange::Disable if account.disabled => {}
            StaffChange::Disable => {
                account.disabled = true;
                account.end_sessions();
            }
            StaffChange::Enable => account.disabled = false,
            StaffChange::Password(hash) => {
                account.password_hash = hash;
                account.end_sessions();
            }
            StaffChange::EndSessions => account.end_sessions(),
            StaffChange::Remove => after[index] = None,
        }
        if !touched.contains(&index) {
            touched.push(index);
        }
    }
    if !after.iter().flatten().any(Account::is_active_owner) {
        return Err(StaffError::LastOwner);
    }
    let mut decision = Decision { changed: Vec::new(), removed: Vec::new(), owners_kept: Vec::new() };
    for (index, (before, now)) in roster.iter().zip(after).enumerate() {
        match now {
            None => decision.removed.push(before.clone()),
            Some(now) if touched.contains(&index) => {
                if now != *before {
                    decision.changed.push(now);
                }
            }
            Some(now) if now.is_active_owner() => decision.owners_kept.push(now.id),
            Some(_) => {}
        }
    }
    // An owner that a change only promoted still counts only if its own write succeeds, which
    // the store guarantees by writing it under its version.
    Ok(decision)
}

/// Hands the restaurant from `from` (an owner) to `to`: `to` becomes owner, `from` a manager.
pub fn hand_over(roster: &[Account], from: &UserId, to: &UserId) -> Result<Decision, StaffError> {
    if from == to {
        return Err(StaffError::HandOverToSelf);
    }
    decide(roster, vec![(to.clone(), StaffChange::Role(Role::Owner)), (from.clone(), StaffChange::Role(Role::Manager))])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::ids::{Email, Slug};
    use crate::text::Name;

    fn account(name: &str, role: Role) -> Account {
        Account {
            id: UserId::generate(),
            restaurant: Slug::parse("trattoria").unwrap(),
            email: Email::parse(&format!("{name}@example.com")).unwrap(),
            name: Name::parse(name).unwrap(),
            role,
            password_hash: "hash".into(),
            disabled: false,
            sessions: 0,
        }
    }

    #[test]
    fn the_only_owner_cannot_be_removed() {
        let owner = account("olga", Role::Owner);
        let roster = [owner.clone(), account("mia", Role::Manager)];
        assert_eq!(decide(&roster, vec![(owner.id, StaffChange::Remove)]), Err(StaffError::LastOwner));
    }

    #[test]
    fn the_only_owner_cannot_be_demoted_or_disabled() {
        let owner = account("olga", Role::Owner);
        let roster = [owner.clone()];
        assert_eq!(
            decide(&roster, vec![(owner.id.clone(), StaffChange::Role(Role::Manager))]),
            Err(StaffError::LastOwner)
        );
        assert_eq!(decide(&roster, vec![(owner.id, StaffChange::Disable)]), Err(StaffError::LastOwner));
    }

    #[test]
    fn an_owner_may_be_removed_while_another_owner_can_sign_in_and_the_decision_names_that_owner() {
        let (first, second) = (account("olga", Role::Owner), account("otto", Role::Owner));
        let decision = decide(&[first.clone(), second.clone()], vec![(first.id.clone(), StaffChange::Remove)]).unwrap();
        assert_eq!(decision.removed, vec![first]);
        assert_eq!(decision.owners_kept, vec![second.id]);
    }

    #[test]
    fn a_disabled_owner_does_not_count_as_the_one_left() {
        let first = account("olga", Role::Owner);
        let mut second = account("otto", Role::Owner);
        second.disabled = true;
        assert_eq!(decide(&[first.clone(), second], vec![(first.id, StaffChange::Remove)]), Err(StaffError::LastOwner));
    }

    #[test]
    fn a_role_change_a_disable_and_a_new_password_each_end_the_accounts_sessions() {
        let owner = account("olga", Role::Owner);
        let cook = account("carl", Role::Staff);
        let roster = [owner, cook.clone()];
        for change in [StaffChange::Role(Role::Manager), StaffChange::Disable, StaffChange::Password("new".into())] {
            let decision = decide(&roster, vec![(cook.id.clone(), change)]).unwrap();
            assert_eq!(decision.changed[0].sessions, cook.sessions + 1);
        }
    }

    #[test]
    fn enabling_an_account_leaves_its_sessions_alone_and_asking_for_the_current_role_changes_nothing() {
        let owner = account("olga", Role::Owner);
        let mut cook = account("carl", Role::Staff);
        cook.disabled = true;
        let roster = [owner, cook.clone()];
        let enabled = decide(&roster, vec![(cook.id.clone(), StaffChange::Enable)]).unwrap();
        assert_eq!((enabled.changed[0].disabled, enabled.changed[0].sessions), (false, cook.sessions));
        let same = decide(&roster, vec![(cook.id, StaffChange::Role(Role::Staff))]).unwrap();
        assert!(same.changed.is_empty());
    }

    #[test]
    fn handing_over_makes_the_other_account_owner_and_the_giver_a_manager() {
        let (owner, manager) = (account("olga", Role::Owner), account("mia", Role::Manager));
        let decision = hand_over(&[owner.clone(), manager.clone()], &owner.id, &manager.id).unwrap();
        let role_of = |id: &UserId| decision.changed.iter().find(|a| &a.id == id).unwrap().role;
        assert_eq!((role_of(&manager.id), role_of(&owner.id)), (Role::Owner, Role::Manager));
    }

    #[test]
    fn ownership_cannot_go_to_a_disabled_account_or_to_oneself() {
        let owner = account("olga", Role::Owner);
        let mut manager = account("mia", Role::Manager);
        manager.disabled = true;
        let roster = [owner.clone(), manager.clone()];
        assert_eq!(hand_over(&roster, &owner.id, &manager.id), Err(StaffError::DisabledOwner));
        assert_eq!(hand_over(&roster, &owner.id, &owner.id), Err(StaffError::HandOverToSelf));
    }

    #[test]
    fn a_change_to_an_account_that_is_not_on_the_roster_is_refused() {
        let roster = [account("olga", Role::Owner)];
        assert_eq!(decide(&roster, vec![(UserId::generate(), StaffChange::Disable)]), Err(StaffError::UnknownAccount));
    }
}
