//! Who holds which role (仕様書 6(2): プロジェクトマネージャ, プロジェクトリーダ;
//! the city's 情報化推進室; the consultants), from `[roles]` in the config.
//! Everyone else is departmental staff.

use crate::config::{Channels, Roles};
use crate::domain::consultation::Role;
use crate::message::{Recipient, UserId};

/// The configured roles and channels, asked by user.
#[derive(Debug, Clone)]
pub struct Directory {
    roles: Roles,
    channels: Channels,
}

impl Directory {
    pub fn new(roles: Roles, channels: Channels) -> Self {
        Self { roles, channels }
    }

    /// A user's role; someone listed twice gets the most senior one.
    pub fn role_of(&self, user: &UserId) -> Role {
        let listed = |list: &[String]| list.iter().any(|id| id == user.as_str());
        if listed(&self.roles.project_manager) {
            Role::ProjectManager
        } else if listed(&self.roles.project_leader) {
            Role::ProjectLeader
        } else if listed(&self.roles.coordinators) {
            Role::Coordinator
        } else if listed(&self.roles.consultants) {
            Role::Consultant
        } else {
            Role::Staff
        }
    }

    /// Whether `user` is listed as a coordinator (情報化推進室), whatever
    /// other role they hold: the coordinators' decisions are theirs too.
    pub fn is_coordinator(&self, user: &UserId) -> bool {
        self.roles.coordinators.iter().any(|id| id == user.as_str())
    }

    pub fn project_leaders(&self) -> Vec<UserId> {
        users(&self.roles.project_leader)
    }

    pub fn coordinators(&self) -> Vec<UserId> {
        users(&self.roles.coordinators)
    }

    /// The private team channel: consultations, decisions, escalations.
    pub fn team_channel(&self) -> Recipient {
        Recipient::Channel(self.channels.team.clone())
    }

    /// Whether `user` reads `channel` (for the console's `:click`, which
    /// presses a button of the last message a user was shown).
    pub fn sees_channel(&self, user: &UserId, channel: &str) -> bool {
        channel != self.channels.team || self.role_of(user).is_team()
    }
}

fn users(ids: &[String]) -> Vec<UserId> {
    ids.iter().filter_map(|id| UserId::parse(id).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str) -> UserId {
        UserId::parse(name).unwrap()
    }

    #[test]
    fn default_console_names_hold_the_roles() {
        let directory = Directory::new(Roles::default(), Channels::default());
        let cases = [
            ("pm", Role::ProjectManager),
            ("leader", Role::ProjectLeader),
            ("coord", Role::Coordinator),
            ("consultant", Role::Consultant),
            ("tanaka", Role::Staff),
        ];
        for (name, role) in cases {
            assert_eq!(directory.role_of(&user(name)), role, "{name}");
        }
        assert_eq!(directory.project_leaders(), vec![user("leader")]);
        assert!(directory.sees_channel(&user("coord"), "#banso-team"));
        assert!(!directory.sees_channel(&user("tanaka"), "#banso-team"));
        assert!(directory.sees_channel(&user("tanaka"), "#banso"));
    }

    #[test]
    fn the_most_senior_role_wins() {
        let roles = Roles {
            project_manager: vec!["U1".into()],
            project_leader: vec!["U1".into(), "U2".into()],
            coordinators: vec![],
            consultants: vec!["U2".into()],
        };
        let directory = Directory::new(roles, Channels::default());
        assert_eq!(directory.role_of(&user("U1")), Role::ProjectManager);
        assert_eq!(directory.role_of(&user("U2")), Role::ProjectLeader);
    }

    #[test]
    fn a_coordinator_who_is_also_the_manager_is_still_a_coordinator() {
        let roles = Roles {
            project_manager: vec!["boss".into()],
            project_leader: vec![],
            coordinators: vec!["boss".into(), "coord".into()],
            consultants: vec![],
        };
        let directory = Directory::new(roles, Channels::default());
        assert_eq!(directory.role_of(&user("boss")), Role::ProjectManager);
        assert!(directory.is_coordinator(&user("boss")));
        assert!(directory.is_coordinator(&user("coord")));
        assert!(!directory.is_coordinator(&user("tanaka")));
    }
}
