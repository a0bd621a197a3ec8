//! Where staff work: the areas each role's menu shows and the page a person starts on after
//! signing in. What a role may do is the policy's; this only says where its work is.

use qiaoyi_app::domain::access::{Action, Actor, Resource, Role, decide};

/// One area of work: its address and the message naming it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkArea {
    pub href: &'static str,
    pub key: &'static str,
}

/// The areas the menu shows besides everyone's, in the order a person holding several roles
/// starts from: the case queue first for stations and officers (the menu has it for everyone).
pub fn work_areas(actor: &Actor) -> Vec<WorkArea> {
    let allowed = |action| decide(actor, action, &Resource::System).is_allowed();
    let mut areas = Vec::new();
    let mut add = |on: bool, href, key| {
        if on {
            areas.push(WorkArea { href, key });
        }
    };
    add(
        allowed(Action::HoldVideoChecks),
        "/video/slots",
        "video-slots-title",
    );
    add(actor.has(Role::Station), "/hall", "hall-desk-title");
    add(
        allowed(Action::ReadGreenChannel),
        "/green-channel",
        "green-board-title",
    );
    add(
        allowed(Action::AnswerConsultation),
        "/consult/inbox",
        "inbox-title",
    );
    add(allowed(Action::ServeInCare), "/care", "care-title");
    add(
        allowed(Action::ManageUsers),
        "/admin/users",
        "admin-users-title",
    );
    add(
        allowed(Action::ManageApiTokens),
        "/admin/api-tokens",
        "tokens-title",
    );
    add(allowed(Action::ReadAuditLog), "/audit", "audit-title");
    add(
        allowed(Action::FollowUpEvaluation),
        "/evaluations",
        "follow-ups-title",
    );
    areas
}

/// The page a person starts on after signing in when no other was asked for: the case queue for
/// station staff and officers, else the first of her areas, else her account.
pub fn landing(actor: &Actor) -> &'static str {
    if actor.has(Role::Station) || actor.has(Role::Officer) {
        return "/cases";
    }
    work_areas(actor)
        .first()
        .map_or("/account", |area| area.href)
}

#[cfg(test)]
mod tests {
    use super::*;
    use qiaoyi_app::domain::access::Grant;

    fn actor(text: &str) -> Actor {
        Actor {
            user_id: "me".into(),
            grants: vec![Grant::parse_text(text).expect("a grant")],
        }
    }

    #[test]
    fn each_role_starts_on_its_work() {
        for (grant, start) in [
            ("applicant", "/account"),
            ("station:IT-ROM", "/cases"),
            ("officer:exit-entry", "/cases"),
            ("duty_leader", "/green-channel"),
            ("consultant", "/consult/inbox"),
            ("care_coordinator", "/care"),
            ("care_volunteer", "/care"),
            ("admin", "/admin/users"),
            ("auditor", "/audit"),
        ] {
            assert_eq!(landing(&actor(grant)), start, "{grant}");
        }
        assert!(work_areas(&actor("applicant")).is_empty());
        assert_eq!(
            work_areas(&actor("officer:exit-entry")),
            vec![WorkArea {
                href: "/video/slots",
                key: "video-slots-title"
            }]
        );
    }
}
