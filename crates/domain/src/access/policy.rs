//! The one permission decision. Every handler asks [`decide`]; anything not explicitly allowed here
//! is denied.

use std::fmt;

use crate::catalog::{CategoryCode, StationCode};

/// The roles staff and people are granted; [`decide`] says what each may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Applicant,
    Station,
    Officer,
    DutyLeader,
    Consultant,
    /// The care programme's coordinators: record children, pair them with volunteers, read the
    /// records of the children of their area (the county, or one township per grant).
    CareCoordinator,
    Admin,
    Auditor,
    /// A proxy parent (代理家长) of the care programme: only the children she is paired with.
    CareVolunteer,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::Applicant,
        Role::Station,
        Role::Officer,
        Role::DutyLeader,
        Role::Consultant,
        Role::CareCoordinator,
        Role::Admin,
        Role::Auditor,
        Role::CareVolunteer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Applicant => "applicant",
            Role::Station => "station",
            Role::Officer => "officer",
            Role::DutyLeader => "duty_leader",
            Role::Consultant => "consultant",
            Role::CareCoordinator => "care_coordinator",
            Role::Admin => "admin",
            Role::Auditor => "auditor",
            Role::CareVolunteer => "care_volunteer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Staff roles must use a second factor.
    pub fn is_staff(self) -> bool {
        self != Role::Applicant
    }

    /// Roles that reach every account, the audit log or children's records: given only when a
    /// second administrator approves (see [`crate::access::role_requests`]).
    pub fn needs_second_administrator(self) -> bool {
        matches!(self, Role::Admin | Role::Auditor | Role::CareCoordinator)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The part of the county a care coordinator's grant reaches.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CareArea {
    /// Every township: stored as an empty scope.
    County,
    /// One township, by its name in the county's list (`catalog/care/townships.toml`).
    Township(String),
}

impl CareArea {
    /// The longest township name a grant takes, as a child's township.
    const MAX_NAME: usize = 60;

    /// Reads a coordinator grant's scope: empty for the county, else a township's name. Whether
    /// the township is one of the county's is the app's check (it holds the list).
    pub fn parse(scope: &str) -> Result<CareArea, String> {
        let name = scope.trim();
        if name.is_empty() {
            return Ok(CareArea::County);
        }
        if name.chars().count() > Self::MAX_NAME || name.contains([',', ':']) {
            return Err(format!(
                "a care coordinator role takes a township's name, or nothing for the whole county (got \"{scope}\")"
            ));
        }
        Ok(CareArea::Township(name.to_owned()))
    }

    /// Whether a child or activity of `township` is in the area.
    pub fn covers(&self, township: &str) -> bool {
        match self {
            CareArea::County => true,
            CareArea::Township(mine) => mine == township,
        }
    }

    fn as_scope(&self) -> &str {
        match self {
            CareArea::County => "",
            CareArea::Township(name) => name,
        }
    }
}

/// One role held by a user, with its scope: a station role names its station, an officer role its
/// category, a care coordinator's her township (or none, for the county); other roles are
/// unscoped.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Grant {
    Applicant,
    Station(StationCode),
    Officer(CategoryCode),
    DutyLeader,
    Consultant,
    CareCoordinator(CareArea),
    Admin,
    Auditor,
    CareVolunteer,
}

impl Grant {
    pub fn role(&self) -> Role {
        match self {
            Grant::Applicant => Role::Applicant,
            Grant::Station(_) => Role::Station,
            Grant::Officer(_) => Role::Officer,
            Grant::DutyLeader => Role::DutyLeader,
            Grant::Consultant => Role::Consultant,
            Grant::CareCoordinator(_) => Role::CareCoordinator,
            Grant::Admin => Role::Admin,
            Grant::Auditor => Role::Auditor,
            Grant::CareVolunteer => Role::CareVolunteer,
        }
    }

    /// The scope as stored: a station code, a category code, or empty.
    pub fn scope(&self) -> &str {
        match self {
            Grant::Station(s) => s.as_str(),
            Grant::Officer(c) => c.as_str(),
            Grant::CareCoordinator(area) => area.as_scope(),
            _ => "",
        }
    }

    /// Reads a grant as [`Grant`]'s `Display` writes it: `officer:exit-entry`, `station:IT-ROM`,
    /// `admin`.
    pub fn parse_text(text: &str) -> Result<Grant, String> {
        let text = text.trim();
        let (role, scope) = text.split_once(':').unwrap_or((text, ""));
        Grant::parse(role, scope)
    }

    /// Reads a grant from its role and scope, as forms and the database hold them.
    pub fn parse(role: &str, scope: &str) -> Result<Grant, String> {
        let role_value = Role::parse(role).ok_or_else(|| {
            let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
            format!(
                "\"{role}\" is not a role; the roles are {}",
                names.join(", ")
            )
        })?;
        let unscoped = |grant: Grant| {
            if scope.is_empty() {
                Ok(grant)
            } else {
                Err(format!(
                    "the {role} role takes no scope, but \"{scope}\" was given"
                ))
            }
        };
        match role_value {
            Role::Station => scope.parse().map(Grant::Station).map_err(|_| {
                format!("a station role needs its station, e.g. station:IT-ROM (got \"{scope}\")")
            }),
            Role::Officer => scope.parse().map(Grant::Officer).map_err(|_| {
                format!(
                    "an officer role needs its category, e.g. officer:exit-entry (got \"{scope}\")"
                )
            }),
            Role::Applicant => unscoped(Grant::Applicant),
            Role::DutyLeader => unscoped(Grant::DutyLeader),
            Role::Consultant => unscoped(Grant::Consultant),
            Role::CareCoordinator => CareArea::parse(scope).map(Grant::CareCoordinator),
            Role::Admin => unscoped(Grant::Admin),
            Role::Auditor => unscoped(Grant::Auditor),
            Role::CareVolunteer => unscoped(Grant::CareVolunteer),
        }
    }
}

impl fmt::Display for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.scope() {
            "" => f.write_str(self.role().as_str()),
            scope => write!(f, "{}:{scope}", self.role()),
        }
    }
}

/// Who is acting: a signed-in user and the roles they hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    pub grants: Vec<Grant>,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role() == role)
    }

    pub fn is_staff(&self) -> bool {
        self.grants.iter().any(|g| g.role().is_staff())
    }
}

/// Declares [`Action`], its names and [`Action::ALL`] from one list, so that a new action cannot be
/// left out of `ALL` (and so of the policy table the tests hold every action to).
macro_rules! actions {
    ($($(#[$doc:meta])* $name:ident => $text:literal,)*) => {
        /// Everything a user can ask to do. Adding one means deciding it for every role in
        /// [`decide`] and in the table of the test below.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Action {
            $($(#[$doc])* $name,)*
        }

        impl Action {
            /// Every action, in declaration order.
            pub const ALL: [Action; [$($text),*].len()] = [$(Action::$name),*];

            /// Its name in logs and the audit trail.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Action::$name => $text,)*
                }
            }
        }
    };
}

actions! {
    /// See and change one's own account, sessions and second factor.
    ManageOwnAccount => "manage_own_account",
    /// See who read one's own file.
    ReadOwnAccessLog => "read_own_access_log",
    /// Create staff accounts, see them, disable and enable them.
    ManageUsers => "manage_users",
    /// Grant and withdraw an account's roles: never one's own.
    ChangeRoles => "change_roles",
    /// Approve or reject roles another administrator asked for: never one's own request, nor roles
    /// for oneself.
    DecideRoleRequest => "decide_role_request",
    /// Hand a person a one-time code to set a new password after checking who she is (in person
    /// or by video): station staff and officers for people's accounts, administrators for staff
    /// accounts; never one's own.
    ResetPassword => "reset_password",
    /// Reset the authenticator of someone who lost hers, so she sets up a new one at her next
    /// sign-in: administrators; never their own.
    ResetSecondFactor => "reset_second_factor",
    /// Stations and the catalogue.
    ManageCatalogue => "manage_catalogue",
    /// See undelivered messages and put dead ones back in the queue.
    ManageDelivery => "manage_delivery",
    /// Read the audit log and verify the chain.
    ReadAuditLog => "read_audit_log",
    /// Search or list people.
    ListPeople => "list_people",
    /// Read a person's file: identity numbers, contact details, their cases.
    ReadPersonFile => "read_person_file",
    /// Submit a case for an applicant.
    SubmitCase => "submit_case",
    /// Read a case.
    ReadCase => "read_case",
    /// Accept, verify, review, return, produce, dispatch, deliver and close a case.
    ProcessCase => "process_case",
    /// Approve or refuse a case, or issue its certificate.
    DecideCase => "decide_case",
    /// Record a payment on a case: at a station for its own cases, by the item's officers, or by a
    /// consultant paying for someone (代缴).
    RecordPayment => "record_payment",
    /// Refund a payment or write off what is owed.
    AdjustFees => "adjust_fees",
    /// Approve or refuse a green-channel request.
    DecideGreenChannel => "decide_green_channel",
    /// See the board of green-channel requests and their evidence.
    ReadGreenChannel => "read_green_channel",
    /// The care programme's children as a whole (the list, recording a child, pairing, the
    /// programme's activities): its coordinators, each in her area (on [`Resource::Township`]).
    CoordinateCare => "coordinate_care",
    /// One child's record, visits and wishes: the coordinators of her township, and the volunteer
    /// paired with her while the pairing is in force.
    CareForChild => "care_for_child",
    /// Keep one's own volunteer profile and see one's proxy children: the programme's
    /// coordinators and volunteers.
    ServeInCare => "serve_in_care",
    /// A parent abroad follows her own child in the care programme (visits, proxy parent); the app
    /// checks the child is hers.
    FollowOwnChild => "follow_own_child",
    /// Open a consultation and follow one's own.
    Consult => "consult",
    /// Answer consultations (the inbox, replies, transfers, canned answers) and edit the knowledge
    /// base.
    AnswerConsultation => "answer_consultation",
    /// Ask a principal for a mandate to act for her (代办): a relative (never for oneself), a
    /// station or a consultant. Each act under it is checked against the mandate by the app.
    ActAsAgent => "act_as_agent",
    /// Publish video-check slots, hold the checks and mark people who did not come.
    HoldVideoChecks => "hold_video_checks",
    /// Enter a booked video check's room: its officer, the case's applicant side (the applicant,
    /// her agent, her station, the consultant who filed it) and the participants registered on
    /// their own accounts.
    EnterVideoRoom => "enter_video_room",
    /// Read the statistics dashboard and export its figures and the list of closed cases behind
    /// them (no names or identity numbers are in either).
    ReadStatistics => "read_statistics",
    /// Make, list and revoke the API tokens other systems call with: administrators.
    ManageApiTokens => "manage_api_tokens",
    /// Work a station's service hall: give numbers at reception, call them to a window, recall,
    /// transfer, mark served or not come: that station's staff.
    ServeHall => "serve_hall",
    /// Follow up poor ratings (差评) and close them with the call-back: the staff of the station
    /// a rating was given at, and the bureau's duty leaders for every rating.
    FollowUpEvaluation => "follow_up_evaluation",
}

impl Action {
    /// Deciding actions need a second factor passed within the last few minutes, not just at sign-in.
    pub fn is_deciding(self) -> bool {
        matches!(
            self,
            Action::DecideCase
                | Action::DecideGreenChannel
                | Action::DecideRoleRequest
                | Action::ManageApiTokens
        )
    }

    /// Actions only a person takes: deciding ones (with her fresh second factor) and those on
    /// her own account. An API token, which acts for a system, is refused them whatever its role.
    pub fn needs_a_person(self) -> bool {
        self.is_deciding() || matches!(self, Action::ManageOwnAccount | Action::ReadOwnAccessLog)
    }
}

/// What the action is about.
#[derive(Clone, Copy, Debug)]
pub enum Resource<'a> {
    /// Nothing in particular: system-wide actions.
    System,
    /// A person's file.
    Person { id: &'a str },
    /// A case: whose it is, the station that submitted it (if any) and its item's category.
    Case {
        /// Empty for a case not yet filed.
        id: &'a str,
        /// Empty when the person has no account (a station's walk-in visitor).
        applicant: &'a str,
        /// The agent who filed the case for the applicant under a mandate (代办); empty otherwise.
        /// The app checks the mandate still allows each act.
        agent: &'a str,
        /// The account that filed the case (for a new case, the one filing it): the applicant, her
        /// agent, a station clerk or a consultant at the bureau's window.
        filed_by: &'a str,
        station: Option<&'a StationCode>,
        category: &'a CategoryCode,
    },
    /// A consultation: the account that asked (empty for a guest, who proves it with her key).
    Consultation { id: &'a str, person: &'a str },
    /// A child of the care programme, the volunteer paired with her now (empty when none is) and
    /// her township.
    Child {
        id: &'a str,
        volunteer: &'a str,
        township: &'a str,
    },
    /// A township of the county, for the care programme's coordinators.
    Township { name: &'a str },
    /// An account, and whether it holds a staff role.
    Account { id: &'a str, staff: bool },
    /// Roles asked for an account, waiting for a second administrator.
    RoleRequest {
        account: &'a str,
        proposed_by: &'a str,
    },
    /// A station's service hall.
    Hall { station: &'a StationCode },
    /// A rating given at a station, or at none (the bureau's own cases).
    Evaluation { station: Option<&'a StationCode> },
    /// The room of a booked video check: the slot's officer, the case's applicant side as in
    /// [`Resource::Case`], and whether the caller is registered as a participant on her own account.
    VideoRoom {
        case: &'a str,
        officer: &'a str,
        applicant: &'a str,
        agent: &'a str,
        filed_by: &'a str,
        station: Option<&'a StationCode>,
        participant: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny(&'static str),
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        self == Decision::Allow
    }
}

/// Whether `actor` may do `action` on `resource`. Allowed when any one of the actor's grants allows
/// it; denied otherwise, with the reason of the last refusal.
pub fn decide(actor: &Actor, action: Action, resource: &Resource) -> Decision {
    match allowing_grant(actor, action, resource) {
        Ok(_) => Decision::Allow,
        Err(reason) => Decision::Deny(reason),
    }
}

/// The townships whose children a care coordinator reaches, for lists that [`decide`] could not
/// check row by row: `None` for the whole county, else her townships (none for anyone who
/// coordinates nothing). It agrees with [`Action::CoordinateCare`] on [`Resource::Township`]
/// (a test holds them together).
pub fn care_reach(actor: &Actor) -> Option<Vec<String>> {
    let mut townships = Vec::new();
    for grant in &actor.grants {
        match grant {
            Grant::CareCoordinator(CareArea::County) => return None,
            Grant::CareCoordinator(CareArea::Township(name)) => townships.push(name.clone()),
            _ => {}
        }
    }
    Some(townships)
}

/// The first of the actor's grants that allows the action: the role a record says they acted in.
pub fn allowing_grant<'a>(
    actor: &'a Actor,
    action: Action,
    resource: &Resource,
) -> Result<&'a Grant, &'static str> {
    if actor.user_id.is_empty() {
        return Err("not signed in");
    }
    let own = |id: &str| id == actor.user_id;
    let own_or_agent = |applicant: &str, agent: &str| own(applicant) || own(agent);
    let mut reason = "no role of yours allows this";
    for grant in &actor.grants {
        let allowed = match (action, resource) {
            (Action::ManageOwnAccount | Action::ReadOwnAccessLog, Resource::Person { id }) => {
                own(id)
            }
            (
                Action::ManageUsers
                | Action::ManageCatalogue
                | Action::ManageDelivery
                | Action::ManageApiTokens,
                Resource::System,
            ) => *grant == Grant::Admin,
            (Action::ChangeRoles, Resource::Person { id }) => *grant == Grant::Admin && !own(id),
            (
                Action::DecideRoleRequest,
                Resource::RoleRequest {
                    account,
                    proposed_by,
                },
            ) => *grant == Grant::Admin && !own(account) && !own(proposed_by),
            (Action::ResetPassword, Resource::Account { id, staff }) => {
                !own(id)
                    && match grant {
                        Grant::Station(_) | Grant::Officer(_) => !staff,
                        Grant::Admin => *staff,
                        _ => false,
                    }
            }
            (Action::ResetSecondFactor, Resource::Account { id, .. }) => {
                *grant == Grant::Admin && !own(id)
            }
            (Action::ReadAuditLog, Resource::System) => *grant == Grant::Auditor,
            (Action::ListPeople, Resource::System) => {
                matches!(
                    grant,
                    Grant::Officer(_) | Grant::DutyLeader | Grant::Consultant
                )
            }
            (Action::ReadPersonFile, Resource::Person { id }) => {
                own(id)
                    || matches!(
                        grant,
                        Grant::Officer(_) | Grant::DutyLeader | Grant::Consultant
                    )
            }
            (
                Action::SubmitCase,
                Resource::Case {
                    applicant,
                    agent,
                    station,
                    filed_by,
                    ..
                },
            ) => match grant {
                Grant::Applicant => own_or_agent(applicant, agent),
                Grant::Station(mine) => *station == Some(mine),
                // Only on cases she filed herself (at the window) or acts on as the applicant's
                // agent under a mandate. Other people's cases are not hers to withdraw or add to.
                Grant::Consultant => own(filed_by) || own(agent),
                _ => false,
            },
            (
                Action::ReadCase,
                Resource::Case {
                    applicant,
                    agent,
                    station,
                    category,
                    ..
                },
            ) => match grant {
                Grant::Applicant => own_or_agent(applicant, agent),
                Grant::Station(mine) => *station == Some(mine),
                Grant::Officer(mine) => mine == *category,
                Grant::DutyLeader | Grant::Consultant => true,
                _ => false,
            },
            (Action::ProcessCase | Action::DecideCase, Resource::Case { category, .. }) => {
                matches!(grant, Grant::Officer(mine) if mine == *category)
            }
            (
                Action::RecordPayment,
                Resource::Case {
                    station,
                    category,
                    agent,
                    filed_by,
                    ..
                },
            ) => match grant {
                Grant::Station(mine) => *station == Some(mine),
                Grant::Officer(mine) => mine == *category,
                // Paying for someone (代缴) on a case she filed, or as her agent under a mandate.
                Grant::Consultant => own(filed_by) || own(agent),
                _ => false,
            },
            (Action::AdjustFees, Resource::Case { category, .. }) => {
                matches!(grant, Grant::Officer(mine) if mine == *category)
            }
            (Action::DecideGreenChannel, Resource::Case { .. }) => *grant == Grant::DutyLeader,
            (Action::ReadGreenChannel, Resource::System) => *grant == Grant::DutyLeader,
            (Action::CoordinateCare, Resource::System) => {
                matches!(grant, Grant::CareCoordinator(_))
            }
            (Action::CoordinateCare, Resource::Township { name }) => {
                matches!(grant, Grant::CareCoordinator(area) if area.covers(name))
            }
            (Action::ServeInCare, Resource::System) => {
                matches!(grant, Grant::CareCoordinator(_) | Grant::CareVolunteer)
            }
            (
                Action::CareForChild,
                Resource::Child {
                    volunteer,
                    township,
                    ..
                },
            ) => match grant {
                Grant::CareCoordinator(area) => area.covers(township),
                Grant::CareVolunteer => own(volunteer),
                _ => false,
            },
            (Action::FollowOwnChild, Resource::Person { id }) => {
                *grant == Grant::Applicant && own(id)
            }
            (Action::Consult, Resource::Consultation { person, .. }) => own(person),
            (Action::AnswerConsultation, Resource::System | Resource::Consultation { .. }) => {
                *grant == Grant::Consultant
            }
            (Action::HoldVideoChecks, Resource::System) => matches!(grant, Grant::Officer(_)),
            (
                Action::EnterVideoRoom,
                Resource::VideoRoom {
                    officer,
                    applicant,
                    agent,
                    filed_by,
                    station,
                    participant,
                    ..
                },
            ) => match grant {
                // The officer who holds this check, not every officer of the category.
                Grant::Officer(_) => own(officer),
                Grant::Applicant => own_or_agent(applicant, agent) || *participant,
                Grant::Station(mine) => *station == Some(mine),
                Grant::Consultant => own(filed_by) || own(agent),
                _ => false,
            },
            (Action::ReadStatistics, Resource::System) => matches!(
                grant,
                Grant::Officer(_) | Grant::DutyLeader | Grant::Admin | Grant::Auditor
            ),
            (Action::ServeHall, Resource::Hall { station }) => {
                matches!(grant, Grant::Station(mine) if mine == *station)
            }
            (Action::FollowUpEvaluation, Resource::System) => {
                matches!(grant, Grant::Station(_) | Grant::DutyLeader)
            }
            (Action::FollowUpEvaluation, Resource::Evaluation { station }) => match grant {
                Grant::Station(mine) => *station == Some(mine),
                Grant::DutyLeader => true,
                _ => false,
            },
            (Action::ActAsAgent, Resource::Person { id }) => match grant {
                Grant::Applicant => !own(id),
                Grant::Station(_) | Grant::Consultant => true,
                _ => false,
            },
            _ => {
                reason = "this action does not apply to that kind of record";
                false
            }
        };
        if allowed {
            return Ok(grant);
        }
    }
    Err(reason)
}

#[cfg(test)]
mod tests;
