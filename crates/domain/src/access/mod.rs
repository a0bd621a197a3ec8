//! Who may do what: roles and their scopes, the one permission decision, passwords, e-mail
//! addresses, and the audit chain's hashing.

pub mod api_tokens;
pub mod audit;
pub mod audited;
pub mod email;
pub mod password;
pub mod policy;
pub mod role_requests;
pub mod spraying;

pub use audited::{AuditAction, AuditEvent, AuditSubject};
pub use email::Email;
pub use password::{Password, PasswordProblem};
pub use policy::{
    Action, Actor, CareArea, Decision, Grant, Resource, Role, allowing_grant, care_reach, decide,
};
