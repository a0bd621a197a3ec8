//! Per-address limits for the endpoints anyone can call without an account and that cost us or
//! help an attacker: identity-number checks (an oracle for guessing numbers), sign-up and guests'
//! consultations (both send mail), and a case's status without signing in (asking sends a code,
//! checking is an oracle for codes) and numbers taken in a hall on a phone; per account, the WeChat link codes it tries; and per API
//! token, with the refused tokens per address.

use std::num::NonZeroU32;
use std::sync::Arc;

use axum::http::StatusCode;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::problem::Problem;

/// Identity checks per address per minute: enough for a station clerk typing all day.
const IDENTITY_PER_MINUTE: u32 = 30;
/// Sign-ups (and new confirmation codes) per address per hour: a family signing up together.
const SIGNUP_PER_HOUR: u32 = 10;
/// Consultations opened without an account per address per hour: each sends an e-mail.
const CONSULT_PER_HOUR: u32 = 10;
/// Asks for a case-status code and checks with one, per address per hour: a family checking a few
/// cases, each with a mistyped code or two.
const CASE_STATUS_PER_HOUR: u32 = 20;
/// WeChat link codes tried per account per hour: a few mistypings, never a search of the 10⁸
/// codes.
const WECHAT_LINK_PER_HOUR: u32 = 10;
/// Numbers taken in a hall on a phone per address per hour: a family with a few errands, never a
/// hall's queue filled from one place.
const HALL_NUMBER_PER_HOUR: u32 = 10;
/// Requests per API token per minute: a kiosk or a back office working steadily, not a copy of
/// the database pulled in a loop.
const API_TOKEN_PER_MINUTE: u32 = 300;
/// Refused `Authorization` headers per address per minute: a misconfigured job, not a guesser.
const BAD_TOKEN_PER_MINUTE: u32 = 30;

#[derive(Clone)]
pub struct Limits {
    identity: Arc<DefaultKeyedRateLimiter<String>>,
    signup: Arc<DefaultKeyedRateLimiter<String>>,
    consult: Arc<DefaultKeyedRateLimiter<String>>,
    case_status: Arc<DefaultKeyedRateLimiter<String>>,
    wechat_link: Arc<DefaultKeyedRateLimiter<String>>,
    hall_number: Arc<DefaultKeyedRateLimiter<String>>,
    api_token: Arc<DefaultKeyedRateLimiter<String>>,
    bad_token: Arc<DefaultKeyedRateLimiter<String>>,
}

/// Which limit a request counts against.
#[derive(Clone, Copy, Debug)]
pub enum Bucket {
    Identity,
    Signup,
    /// Opening a consultation as a guest.
    Consult,
    /// Asking for a code to see a case's status without signing in, and checking with it.
    CaseStatus,
    /// Trying a WeChat link code, keyed by the account.
    WechatLink,
    /// Taking a number in a hall on a phone, keyed by address.
    HallNumber,
    /// Requests made with one API token, keyed by the token's id.
    ApiToken,
    /// Requests whose `Authorization` header was refused, keyed by address.
    BadToken,
}

fn quota(per: u32, hour: bool) -> Quota {
    let n = NonZeroU32::new(per).unwrap_or(NonZeroU32::MIN);
    if hour {
        Quota::per_hour(n)
    } else {
        Quota::per_minute(n)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            identity: Arc::new(RateLimiter::keyed(quota(IDENTITY_PER_MINUTE, false))),
            signup: Arc::new(RateLimiter::keyed(quota(SIGNUP_PER_HOUR, true))),
            consult: Arc::new(RateLimiter::keyed(quota(CONSULT_PER_HOUR, true))),
            case_status: Arc::new(RateLimiter::keyed(quota(CASE_STATUS_PER_HOUR, true))),
            wechat_link: Arc::new(RateLimiter::keyed(quota(WECHAT_LINK_PER_HOUR, true))),
            hall_number: Arc::new(RateLimiter::keyed(quota(HALL_NUMBER_PER_HOUR, true))),
            api_token: Arc::new(RateLimiter::keyed(quota(API_TOKEN_PER_MINUTE, false))),
            bad_token: Arc::new(RateLimiter::keyed(quota(BAD_TOKEN_PER_MINUTE, false))),
        }
    }
}

impl Limits {
    /// Counts one request from `address` (for [`Bucket::ApiToken`], the token's id); `false` when
    /// it is over the limit.
    pub fn allow(&self, bucket: Bucket, address: &str) -> bool {
        let limiter = match bucket {
            Bucket::Identity => &self.identity,
            Bucket::Signup => &self.signup,
            Bucket::Consult => &self.consult,
            Bucket::CaseStatus => &self.case_status,
            Bucket::WechatLink => &self.wechat_link,
            Bucket::HallNumber => &self.hall_number,
            Bucket::ApiToken => &self.api_token,
            Bucket::BadToken => &self.bad_token,
        };
        // Forget addresses that have been quiet, so the table does not grow without bound.
        if limiter.len() > 10_000 {
            limiter.retain_recent();
        }
        limiter.check_key(&address.to_owned()).is_ok()
    }

    /// [`Limits::allow`] for the API: the 429 problem to answer when over the limit.
    pub fn refused() -> Problem {
        Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            "too many requests from your address; wait a minute and try again",
        )
    }
}

/// What [`Bucket::WechatLink`] counts by: the signed-in account (else the address, which the
/// app then refuses as signed out).
pub fn link_limit_key(auth: &crate::auth::Auth) -> &str {
    auth.session
        .as_ref()
        .map_or(auth.client.address.as_str(), |s| s.actor.user_id.as_str())
}
