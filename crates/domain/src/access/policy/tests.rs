use super::*;

fn station(code: &str) -> StationCode {
    code.parse().expect("station code")
}

fn category(code: &str) -> CategoryCode {
    code.parse().expect("category code")
}

/// One grant per role, scoped to station IT-ROM, category exit-entry or township 鹤城街道.
fn grant(role: Role) -> Grant {
    match role {
        Role::Applicant => Grant::Applicant,
        Role::Station => Grant::Station(station("IT-ROM")),
        Role::Officer => Grant::Officer(category("exit-entry")),
        Role::DutyLeader => Grant::DutyLeader,
        Role::Consultant => Grant::Consultant,
        Role::CareCoordinator => Grant::CareCoordinator(CareArea::Township("鹤城街道".into())),
        Role::Admin => Grant::Admin,
        Role::Auditor => Grant::Auditor,
        Role::CareVolunteer => Grant::CareVolunteer,
    }
}

/// The expected decision for (role, action) on a resource in the actor's own scope and on one outside
/// it. Columns: applicant, station, officer, duty_leader, consultant, care_coordinator, admin, auditor,
/// care_volunteer.
/// `Y` allowed in own scope and outside, `O` only in own scope, `X` only outside it, `-` never.
const TABLE: &[(Action, &str)] = &[
    (Action::ManageOwnAccount, "OOOOOOOOO"),
    (Action::ReadOwnAccessLog, "OOOOOOOOO"),
    (Action::ManageUsers, "------Y--"),
    (Action::ChangeRoles, "------X--"),
    (Action::DecideRoleRequest, "------X--"),
    (Action::ResetPassword, "-XX------"),
    (Action::ResetSecondFactor, "------X--"),
    (Action::ManageCatalogue, "------Y--"),
    (Action::ManageDelivery, "------Y--"),
    (Action::ManageApiTokens, "------Y--"),
    (Action::ReadAuditLog, "-------Y-"),
    (Action::ListPeople, "--YYY----"),
    (Action::ReadPersonFile, "OOYYYOOOO"),
    (Action::SubmitCase, "OO--O----"),
    (Action::ReadCase, "OOOYY----"),
    (Action::ProcessCase, "--O------"),
    (Action::DecideCase, "--O------"),
    (Action::RecordPayment, "-OO-O----"),
    (Action::AdjustFees, "--O------"),
    (Action::DecideGreenChannel, "---Y-----"),
    (Action::ReadGreenChannel, "---Y-----"),
    (Action::CoordinateCare, "-----O---"),
    (Action::CareForChild, "-----O--O"),
    (Action::ServeInCare, "-----Y--Y"),
    (Action::FollowOwnChild, "O--------"),
    (Action::Consult, "OOOOOOOOO"),
    (Action::AnswerConsultation, "----Y----"),
    (Action::ActAsAgent, "XY--Y----"),
    (Action::ReadStatistics, "--YY--YY-"),
    (Action::HoldVideoChecks, "--Y------"),
    (Action::EnterVideoRoom, "OOO-O----"),
    (Action::ServeHall, "-O-------"),
    (Action::FollowUpEvaluation, "-O-Y-----"),
];

/// The resource an action is about, inside the actor's scope (`own`) or outside it.
fn resource<'a>(
    action: Action,
    own: bool,
    rome: &'a StationCode,
    milan: &'a StationCode,
    ee: &'a CategoryCode,
    tr: &'a CategoryCode,
) -> Resource<'a> {
    let person = if own { "me" } else { "someone-else" };
    match action {
        Action::ManageOwnAccount
        | Action::ReadOwnAccessLog
        | Action::ReadPersonFile
        | Action::FollowOwnChild
        | Action::ChangeRoles
        | Action::ActAsAgent => Resource::Person { id: person },
        Action::CareForChild => Resource::Child {
            id: "child-1",
            volunteer: person,
            township: if own { "鹤城街道" } else { "瓯南街道" },
        },
        Action::ResetPassword => Resource::Account {
            id: person,
            staff: false,
        },
        Action::ResetSecondFactor => Resource::Account {
            id: person,
            staff: true,
        },
        Action::CoordinateCare => Resource::Township {
            name: if own { "鹤城街道" } else { "瓯南街道" },
        },
        Action::DecideRoleRequest => Resource::RoleRequest {
            account: person,
            proposed_by: person,
        },
        Action::SubmitCase
        | Action::ReadCase
        | Action::ProcessCase
        | Action::DecideCase
        | Action::RecordPayment
        | Action::AdjustFees
        | Action::DecideGreenChannel => Resource::Case {
            id: "case-1",
            applicant: person,
            agent: "",
            filed_by: person,
            station: Some(if own { rome } else { milan }),
            category: if own { ee } else { tr },
        },
        Action::Consult => Resource::Consultation { id: "c-1", person },
        Action::ServeHall => Resource::Hall {
            station: if own { rome } else { milan },
        },
        Action::FollowUpEvaluation => Resource::Evaluation {
            station: Some(if own { rome } else { milan }),
        },
        Action::EnterVideoRoom => Resource::VideoRoom {
            case: "case-1",
            officer: person,
            applicant: person,
            agent: "",
            filed_by: person,
            station: Some(if own { rome } else { milan }),
            participant: false,
        },
        _ => Resource::System,
    }
}

#[test]
fn every_role_and_action_is_decided_as_the_table_says() {
    assert_eq!(TABLE.len(), Action::ALL.len(), "every action has a row");
    for action in Action::ALL {
        assert!(
            TABLE.iter().any(|(a, _)| *a == action),
            "{action:?} has no row"
        );
    }
    let (rome, milan, ee, tr) = (
        station("IT-ROM"),
        station("IT-MIL"),
        category("exit-entry"),
        category("traffic"),
    );
    for (action, row) in TABLE {
        assert_eq!(row.len(), Role::ALL.len());
        for (role, expected) in Role::ALL.into_iter().zip(row.chars()) {
            let actor = Actor {
                user_id: "me".into(),
                grants: vec![grant(role)],
            };
            let inside = decide(
                &actor,
                *action,
                &resource(*action, true, &rome, &milan, &ee, &tr),
            )
            .is_allowed();
            let outside = decide(
                &actor,
                *action,
                &resource(*action, false, &rome, &milan, &ee, &tr),
            )
            .is_allowed();
            let (want_inside, want_outside) = match expected {
                'Y' => (true, true),
                'O' => (true, false),
                'X' => (false, true),
                _ => (false, false),
            };
            assert_eq!(
                (inside, outside),
                (want_inside, want_outside),
                "{role:?} {action:?}"
            );
        }
    }
}

#[test]
fn a_registered_participant_enters_a_strangers_check_and_no_one_else_does() {
    let rome = station("IT-ROM");
    let room = |participant| Resource::VideoRoom {
        case: "case-1",
        officer: "officer-1",
        applicant: "someone-else",
        agent: "",
        filed_by: "someone-else",
        station: Some(&rome),
        participant,
    };
    let father = Actor {
        user_id: "me".into(),
        grants: vec![Grant::Applicant],
    };
    assert!(decide(&father, Action::EnterVideoRoom, &room(true)).is_allowed());
    assert!(!decide(&father, Action::EnterVideoRoom, &room(false)).is_allowed());
    // Another officer of the same category is not the check's officer.
    let colleague = Actor {
        user_id: "officer-2".into(),
        grants: vec![Grant::Officer(category("exit-entry"))],
    };
    assert!(!decide(&colleague, Action::EnterVideoRoom, &room(false)).is_allowed());
    // Being registered does not let staff in through another role.
    let auditor = Actor {
        user_id: "me".into(),
        grants: vec![Grant::Auditor, Grant::DutyLeader],
    };
    assert!(!decide(&auditor, Action::EnterVideoRoom, &room(true)).is_allowed());
}

#[test]
fn no_grants_or_no_user_is_denied() {
    let nobody = Actor {
        user_id: "me".into(),
        grants: vec![],
    };
    let anonymous = Actor {
        user_id: String::new(),
        grants: vec![Grant::Admin],
    };
    for action in Action::ALL {
        for resource in [Resource::System, Resource::Person { id: "me" }] {
            assert!(
                !decide(&nobody, action, &resource).is_allowed(),
                "{action:?}"
            );
            assert!(
                !decide(&anonymous, action, &resource).is_allowed(),
                "{action:?}"
            );
        }
    }
}

#[test]
fn a_station_never_lists_people_nor_reads_another_stations_case() {
    let actor = Actor {
        user_id: "st".into(),
        grants: vec![Grant::Station(station("IT-ROM"))],
    };
    assert!(!decide(&actor, Action::ListPeople, &Resource::System).is_allowed());
    let milan = station("IT-MIL");
    let ee = category("exit-entry");
    let other = Resource::Case {
        id: "case-1",
        applicant: "x",
        agent: "",
        filed_by: "x",
        station: Some(&milan),
        category: &ee,
    };
    assert!(!decide(&actor, Action::ReadCase, &other).is_allowed());
    let unrelayed = Resource::Case {
        id: "case-1",
        applicant: "x",
        agent: "",
        filed_by: "x",
        station: None,
        category: &ee,
    };
    assert!(!decide(&actor, Action::ReadCase, &unrelayed).is_allowed());
}

#[test]
fn several_grants_combine() {
    let actor = Actor {
        user_id: "o".into(),
        grants: vec![
            Grant::Officer(category("exit-entry")),
            Grant::Officer(category("traffic")),
        ],
    };
    let tr = category("traffic");
    let case = Resource::Case {
        id: "case-1",
        applicant: "x",
        agent: "",
        filed_by: "x",
        station: None,
        category: &tr,
    };
    assert!(decide(&actor, Action::DecideCase, &case).is_allowed());
}

#[test]
fn grants_parse_with_their_scopes() {
    assert_eq!(
        Grant::parse("officer", "exit-entry"),
        Ok(Grant::Officer(category("exit-entry")))
    );
    assert_eq!(
        Grant::parse("station", "IT-ROM"),
        Ok(Grant::Station(station("IT-ROM")))
    );
    assert_eq!(Grant::parse("admin", ""), Ok(Grant::Admin));
    assert!(Grant::parse("admin", "IT-ROM").is_err());
    assert!(Grant::parse("station", "").is_err());
    assert!(Grant::parse("officer", "EXIT").is_err());
    assert!(Grant::parse("king", "").is_err());
    for role in Role::ALL {
        let g = grant(role);
        assert_eq!(Grant::parse(role.as_str(), g.scope()), Ok(g.clone()));
        assert_eq!(Role::parse(role.as_str()), Some(role));
    }
}

#[test]
fn a_relative_acting_under_a_mandate_reads_and_submits_only_the_cases_she_files() {
    let son = Actor {
        user_id: "son".into(),
        grants: vec![Grant::Applicant],
    };
    let ee = category("exit-entry");
    let case = |agent| Resource::Case {
        id: "",
        applicant: "mother",
        agent,
        filed_by: if agent.is_empty() { "mother" } else { agent },
        station: None,
        category: &ee,
    };
    for action in [Action::SubmitCase, Action::ReadCase] {
        assert!(decide(&son, action, &case("son")).is_allowed());
        assert!(!decide(&son, action, &case("")).is_allowed());
        assert!(!decide(&son, action, &case("daughter")).is_allowed());
    }
    assert!(!decide(&son, Action::ProcessCase, &case("son")).is_allowed());
    assert!(!decide(&son, Action::RecordPayment, &case("son")).is_allowed());
}

#[test]
fn a_consultant_acts_only_on_the_cases_she_filed() {
    let consultant = Actor {
        user_id: "cons".into(),
        grants: vec![Grant::Consultant],
    };
    let ee = category("exit-entry");
    let case = |filed_by| Resource::Case {
        id: "case-1",
        applicant: "stranger",
        agent: "",
        filed_by,
        station: None,
        category: &ee,
    };
    for action in [Action::SubmitCase, Action::RecordPayment] {
        // At the window, for a walk-in, or paying for someone (代缴) on a case she filed.
        assert!(
            decide(&consultant, action, &case("cons")).is_allowed(),
            "{action:?}"
        );
        // Another applicant's own case: not hers to withdraw, upload into or pay on.
        assert!(
            !decide(&consultant, action, &case("stranger")).is_allowed(),
            "{action:?}"
        );
    }
    // Answering consultations still needs her to see where a case stands.
    assert!(decide(&consultant, Action::ReadCase, &case("stranger")).is_allowed());
}

#[test]
fn a_role_request_is_decided_by_neither_its_proposer_nor_its_account() {
    let admin = Actor {
        user_id: "me".into(),
        grants: vec![Grant::Admin],
    };
    let request = |account, proposed_by| Resource::RoleRequest {
        account,
        proposed_by,
    };
    let decide_on = |r| decide(&admin, Action::DecideRoleRequest, &r).is_allowed();
    assert!(decide_on(request("someone", "another-admin")));
    assert!(!decide_on(request("someone", "me")), "her own request");
    assert!(
        !decide_on(request("me", "another-admin")),
        "roles for herself"
    );
}

#[test]
fn a_volunteer_cares_for_the_child_she_is_paired_with_and_no_other() {
    let volunteer = Actor {
        user_id: "me".into(),
        grants: vec![Grant::CareVolunteer],
    };
    let child = |volunteer| Resource::Child {
        id: "child-1",
        volunteer,
        township: "鹤城街道",
    };
    assert!(decide(&volunteer, Action::CareForChild, &child("me")).is_allowed());
    assert!(!decide(&volunteer, Action::CareForChild, &child("someone-else")).is_allowed());
    assert!(
        !decide(&volunteer, Action::CareForChild, &child("")).is_allowed(),
        "unpaired"
    );
    assert!(!decide(&volunteer, Action::CoordinateCare, &Resource::System).is_allowed());
    let coordinator = Actor {
        user_id: "me".into(),
        grants: vec![Grant::CareCoordinator(CareArea::County)],
    };
    assert!(decide(&coordinator, Action::CareForChild, &child("")).is_allowed());
}

#[test]
fn a_coordinator_reaches_the_townships_of_her_grants_and_the_county_coordinator_all() {
    let coordinator = |areas: &[&str]| Actor {
        user_id: "me".into(),
        grants: areas
            .iter()
            .map(|a| Grant::CareCoordinator(CareArea::parse(a).expect("area")))
            .collect(),
    };
    let child = |township| Resource::Child {
        id: "child-1",
        volunteer: "someone-else",
        township,
    };
    let two = coordinator(&["鹤城街道", "腊口镇"]);
    for (township, reached) in [("鹤城街道", true), ("腊口镇", true), ("瓯南街道", false)]
    {
        assert_eq!(
            decide(&two, Action::CareForChild, &child(township)).is_allowed(),
            reached,
            "{township}"
        );
        assert_eq!(
            decide(
                &two,
                Action::CoordinateCare,
                &Resource::Township { name: township }
            )
            .is_allowed(),
            reached
        );
    }
    assert!(decide(&two, Action::CoordinateCare, &Resource::System).is_allowed());
    let county = coordinator(&[""]);
    assert!(decide(&county, Action::CareForChild, &child("瓯南街道")).is_allowed());
}

proptest::proptest! {
    /// The lists' filter and the one decision never disagree about a township.
    #[test]
    fn care_reach_agrees_with_the_decision(
        grants in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just(String::new()),
                proptest::strategy::Just("鹤城街道".to_owned()),
                proptest::strategy::Just("腊口镇".to_owned()),
                proptest::strategy::Just("volunteer".to_owned()),
            ],
            0..3,
        ),
        township in proptest::prop_oneof![
            proptest::strategy::Just("鹤城街道"),
            proptest::strategy::Just("腊口镇"),
            proptest::strategy::Just("瓯南街道"),
        ],
    ) {
        let actor = Actor {
            user_id: "me".into(),
            grants: grants
                .iter()
                .map(|g| match g.as_str() {
                    "volunteer" => Grant::CareVolunteer,
                    area => Grant::CareCoordinator(CareArea::parse(area).expect("area")),
                })
                .collect(),
        };
        let decided =
            decide(&actor, Action::CoordinateCare, &Resource::Township { name: township })
                .is_allowed();
        let listed = care_reach(&actor).is_none_or(|t| t.iter().any(|n| n == township));
        proptest::prop_assert_eq!(decided, listed);
    }
}

#[test]
fn a_coordinator_grant_reads_back_as_written() {
    for text in ["care_coordinator", "care_coordinator:鹤城街道"] {
        assert_eq!(Grant::parse_text(text).expect(text).to_string(), text);
    }
    assert!(Grant::parse_text("care_coordinator:a,b").is_err());
    assert!(
        Grant::parse_text("care_worker").is_err(),
        "the old name is gone"
    );
}

#[test]
fn staff_passwords_are_reset_by_administrators_and_people_s_at_a_desk() {
    let actor = |grant| Actor {
        user_id: "me".into(),
        grants: vec![grant],
    };
    let account = |staff| Resource::Account {
        id: "someone-else",
        staff,
    };
    let reset = |a: &Actor, staff| decide(a, Action::ResetPassword, &account(staff)).is_allowed();
    let clerk = actor(Grant::Station(station("IT-ROM")));
    let admin = actor(Grant::Admin);
    assert!(reset(&clerk, false));
    assert!(!reset(&clerk, true), "a clerk does not reset staff");
    assert!(reset(&admin, true));
    assert!(
        !reset(&admin, false),
        "people's passwords are reset where they are seen"
    );
    assert!(
        decide(&admin, Action::ResetSecondFactor, &account(false)).is_allowed(),
        "an applicant who set up an authenticator is helped too"
    );
}
