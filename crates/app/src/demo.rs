//! The demo data: the reference catalogue, one account per role, and a few cases.

use qiaoyi_domain::access::{Actor, Grant};
use qiaoyi_domain::cases::Relation;
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::lang::Lang;

use crate::accounts::{AccountRequest, Client, CurrentSession, SecondFactor};
use crate::cases::{Case, CaseRequest, StepRequest, Upload};
use crate::persons::{DocumentInput, Person, PersonInput};
use crate::{App, AppError, Caller, ImportOutcome, catalog_source};

/// Every demo account's password.
pub const DEMO_PASSWORD: &str = "qiaoyi demo pass 2026";
/// Every demo staff account's TOTP secret, so the demo can be tried with any authenticator app.
pub const DEMO_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// A demo login: e-mail, display name, grants as (role, scope).
pub type DemoAccount = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

pub const DEMO_ACCOUNTS: &[DemoAccount] = &[
    ("applicant@qiaoyi.example", "季美华", &[("applicant", "")]),
    (
        "station.rome@qiaoyi.example",
        "Rome station",
        &[("station", "IT-ROM")],
    ),
    (
        "station.madrid@qiaoyi.example",
        "Madrid station",
        &[("station", "ES-MAD")],
    ),
    (
        "officer@qiaoyi.example",
        "出入境民警",
        &[("officer", "exit-entry"), ("officer", "certificates")],
    ),
    ("duty@qiaoyi.example", "值班领导", &[("duty_leader", "")]),
    ("consultant@qiaoyi.example", "咨询员", &[("consultant", "")]),
    (
        "care@qiaoyi.example",
        "警察妈妈",
        &[("care_coordinator", "")],
    ),
    // A volunteer of the care programme in 温溪镇, proxy parent to the applicant's daughter.
    (
        "volunteer@qiaoyi.example",
        "叶警官",
        &[("care_volunteer", "")],
    ),
    ("admin@qiaoyi.example", "系统管理员", &[("admin", "")]),
    // A second administrator: administrator, auditor and care-coordinator roles one asks for, the
    // other approves.
    (
        "deputy.admin@qiaoyi.example",
        "副系统管理员",
        &[("admin", "")],
    ),
    ("auditor@qiaoyi.example", "审计员", &[("auditor", "")]),
    // The applicant's mother in Qingtian, who gave her daughter a mandate (代办).
    ("mother@qiaoyi.example", "陈秀英", &[("applicant", "")]),
];

/// The demo's opened cases with the steps each takes next and who takes them.
type DemoSteps<'s> = Vec<(&'s CurrentSession, Case, Vec<&'static str>)>;

/// What seeding did.
#[derive(Debug, PartialEq, Eq)]
pub struct Seeded {
    pub catalogue: ImportOutcome,
    pub accounts_created: usize,
    pub cases_created: usize,
}

impl App {
    /// Brings a data dir to the demo state. Running it again changes nothing.
    pub async fn seed_demo(&self, now_ms: i64) -> Result<Seeded, AppError> {
        let catalogue = self
            .import_parsed(
                catalog_source::reference_catalog()?,
                &catalog_source::reference(),
                now_ms,
                &|_, _| {},
            )
            .await?;
        let mut accounts_created = 0;
        for (email, name, grants) in DEMO_ACCOUNTS {
            if self.account_exists(email).await? {
                continue;
            }
            let grants = grants
                .iter()
                .map(|(role, scope)| Grant::parse(role, scope))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|message| AppError::Invalid {
                    field: "roles",
                    reason: Reason::Malformed,
                    message,
                })?;
            let staff = grants.iter().any(|g| g.role().is_staff());
            let request = AccountRequest {
                email,
                display_name: name,
                password: DEMO_PASSWORD,
                grants,
                language: Lang::Zh,
                confirmed: true,
                totp_secret: staff.then(|| DEMO_TOTP_SECRET.to_owned()),
            };
            let caller = Caller::anonymous(
                Client {
                    address: "demo".into(),
                },
                now_ms,
            );
            self.create_account(&caller, request).await?;
            accounts_created += 1;
        }
        let cases_created = if accounts_created == DEMO_ACCOUNTS.len() {
            self.seed_demo_cases(now_ms).await?
        } else {
            0
        };
        Ok(Seeded {
            catalogue,
            accounts_created,
            cases_created,
        })
    }

    /// A demo account acting, as if signed in with its second factor just passed.
    async fn demo_session(&self, email: &str, now_ms: i64) -> Result<CurrentSession, AppError> {
        let user = self
            .store
            .user_by_email(email)
            .await?
            .ok_or_else(|| AppError::NotFound(email.to_owned()))?;
        Ok(CurrentSession {
            actor: Actor {
                user_id: user.id.clone(),
                grants: crate::accounts::grants_of(&user),
            },
            email: user.email.clone(),
            display_name: user.display_name.clone(),
            language: None,
            token_hash: String::new(),
            csrf: String::new(),
            created_at: now_ms,
            second_factor: SecondFactor::Passed(now_ms),
            elder_mode: false,
        })
    }

    /// A few cases at different stages, so every list and case page has something to show: the
    /// applicant's passport renewal with the bureau (its fee owed), her mother's certificate still a
    /// draft, a walk-in at the Rome station already accepted and paid in cash there, and her own
    /// certificate of no criminal record, issued and verifiable.
    async fn seed_demo_cases(&self, now_ms: i64) -> Result<usize, AppError> {
        let applicant = self.demo_session(DEMO_ACCOUNTS[0].0, now_ms).await?;
        let rome = self
            .demo_session("station.rome@qiaoyi.example", now_ms)
            .await?;
        let officer = self.demo_session("officer@qiaoyi.example", now_ms).await?;
        let (herself, mother) = self.seed_demo_people(&applicant, now_ms).await?;
        let steps = self
            .seed_demo_open_cases(&applicant, &rome, &herself, &mother, now_ms)
            .await?;
        self.seed_demo_steps(&steps, &officer, &rome, now_ms)
            .await?;
        self.seed_demo_own_certificate(&applicant, &officer, &herself, now_ms)
            .await?;
        self.seed_demo_mandate(&applicant, now_ms).await?;
        self.seed_demo_consultations(&applicant, now_ms).await?;
        Ok(4)
    }

    /// The applicant keeps herself and her mother on file; her passport runs out in five months.
    async fn seed_demo_people(
        &self,
        applicant: &CurrentSession,
        now_ms: i64,
    ) -> Result<(Person, Person), AppError> {
        let herself = PersonInput {
            relation: "self".into(),
            name: "季美华".into(),
            name_latin: "JI MEIHUA".into(),
            birth_date: "1962-08-19".into(),
            country: "IT".into(),
            city: "Prato".into(),
            phone: "+39 0574 000 000".into(),
            ..PersonInput::default()
        };
        let herself = self
            .save_person(&demo_caller(applicant, now_ms), None, &herself)
            .await?;
        let expiry = crate::calendar::beijing_today(now_ms)
            .checked_add(jiff::Span::new().months(5))
            .map_err(|e| AppError::Invalid {
                field: "expires_on",
                reason: Reason::Malformed,
                message: e.to_string(),
            })?;
        self.add_document(
            &demo_caller(applicant, now_ms),
            &herself.id,
            &DocumentInput {
                kind: "passport".into(),
                number: "EA1234567".into(),
                expires_on: expiry.to_string(),
            },
        )
        .await?;
        let mother = PersonInput {
            relation: "parent".into(),
            name: "陈秀英".into(),
            name_latin: "CHEN XIUYING".into(),
            birth_date: "1941-02-03".into(),
            country: "CN".into(),
            city: "青田".into(),
            ..PersonInput::default()
        };
        let mother = self
            .save_person(&demo_caller(applicant, now_ms), None, &mother)
            .await?;
        Ok((herself, mother))
    }

    /// Opens the applicant's passport renewal (with its materials), her mother's certificate (a
    /// draft) and a walk-in at the Rome station (with its materials); returns the steps each of
    /// the two with materials takes next, and who takes them.
    async fn seed_demo_open_cases<'s>(
        &self,
        applicant: &'s CurrentSession,
        rome: &'s CurrentSession,
        herself: &Person,
        mother: &Person,
        now_ms: i64,
    ) -> Result<DemoSteps<'s>, AppError> {
        let renewal = CaseRequest {
            item: "EE-01".into(),
            person: herself.id.clone(),
            delivery: "courier".into(),
            ..CaseRequest::default()
        };
        let certificate = CaseRequest {
            item: "EC-01".into(),
            person: mother.id.clone(),
            delivery: "window".into(),
            ..CaseRequest::default()
        };
        let walk_in = CaseRequest {
            item: "EE-01".into(),
            person_name: "王建国".into(),
            person_name_latin: "WANG JIANGUO".into(),
            birth_date: "1975-11-30".into(),
            relation: "other".into(),
            delivery: "station".into(),
            ..CaseRequest::default()
        };
        let mut steps: DemoSteps<'s> = Vec::new();
        let case = self
            .open_case(&demo_caller(applicant, now_ms), &renewal)
            .await?;
        self.demo_materials(applicant, &case, now_ms).await?;
        steps.push((applicant, case, vec!["submit"]));
        self.open_case(&demo_caller(applicant, now_ms), &certificate)
            .await?;
        let case = self.open_case(&demo_caller(rome, now_ms), &walk_in).await?;
        self.demo_materials(rome, &case, now_ms).await?;
        steps.push((rome, case, vec!["submit"]));
        Ok(steps)
    }

    /// Takes each opened case's steps; the walk-in at the station is then accepted by the officer
    /// and paid in cash at the station.
    async fn seed_demo_steps(
        &self,
        steps: &DemoSteps<'_>,
        officer: &CurrentSession,
        rome: &CurrentSession,
        now_ms: i64,
    ) -> Result<(), AppError> {
        for (who, case, names) in steps {
            let mut version = case.version;
            for name in names {
                let request = StepRequest {
                    step: (*name).into(),
                    expected_version: version,
                    reason: String::new(),
                    ..StepRequest::default()
                };
                version = self
                    .step_case(&demo_caller(who, now_ms), &case.id, &request)
                    .await?
                    .version;
            }
            if case.channel == qiaoyi_domain::cases::Channel::Station {
                // Acceptance sets a deadline; beyond 2100 without a calendar the case waits.
                let accept = StepRequest {
                    step: "accept".into(),
                    expected_version: version,
                    reason: String::new(),
                    ..StepRequest::default()
                };
                match self
                    .step_case(&demo_caller(officer, now_ms), &case.id, &accept)
                    .await
                {
                    Ok(_) | Err(AppError::NoCalendar(_)) => {}
                    Err(e) => return Err(e),
                }
                // He paid the fee in cash at the station.
                let paid = crate::fees::FeeRequest {
                    kind: "payment".into(),
                    amount_fen: i64::from(case.item.fee_fen),
                    method: "cash_station".into(),
                    payer_name: case.person_name.clone(),
                    ..crate::fees::FeeRequest::default()
                };
                if paid.amount_fen > 0 {
                    self.record_fee(&demo_caller(rome, now_ms), &case.id, &paid)
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// The applicant's own certificate of no criminal record, issued: the newest case on her list.
    async fn seed_demo_own_certificate(
        &self,
        applicant: &CurrentSession,
        officer: &CurrentSession,
        herself: &Person,
        now_ms: i64,
    ) -> Result<(), AppError> {
        let own_certificate = CaseRequest {
            item: "EC-01".into(),
            person: herself.id.clone(),
            delivery: "window".into(),
            ..CaseRequest::default()
        };
        let case = self
            .open_case(&demo_caller(applicant, now_ms), &own_certificate)
            .await?;
        self.demo_materials(applicant, &case, now_ms).await?;
        let mut version = case.version;
        for (who, name) in [
            (applicant, "submit"),
            (officer, "accept"),
            (applicant, "video_check"),
            (officer, "verify_identity"),
            (officer, "start_review"),
            (officer, "approve"),
            (officer, "issue"),
        ] {
            if name == "video_check" {
                self.demo_video_check(officer, who, &case.id, now_ms)
                    .await?;
                version += 1;
                continue;
            }
            let request = StepRequest {
                step: name.into(),
                expected_version: version,
                reason: String::new(),
                ..StepRequest::default()
            };
            match self
                .step_case(&demo_caller(who, now_ms), &case.id, &request)
                .await
            {
                Ok(c) => version = c.version,
                // Beyond the years the regulation is computed for, without a calendar, it waits.
                Err(AppError::NoCalendar(_)) => break,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Certificates of no criminal record closed over the past ten months, so that the statistics
    /// have something to show: filed at the Rome and Madrid stations and online, most delivered,
    /// some refused, each step taken on its own day as an officer would. `qiaoyi demo` adds them
    /// once, after the demo's cases; returns how many closed.
    pub async fn seed_demo_history(&self, now_ms: i64) -> Result<usize, AppError> {
        let owner = self
            .store
            .user_by_email(DEMO_ACCOUNTS[0].0)
            .await?
            .ok_or_else(|| AppError::NotFound(DEMO_ACCOUNTS[0].0.to_owned()))?;
        let herself = self
            .store
            .persons_of(&owner.id)
            .await?
            .into_iter()
            .find(|p| p.relation == Relation::Myself)
            .map(|p| p.id)
            .ok_or_else(|| AppError::NotFound("the demo applicant's own record".into()))?;
        let herself = herself.as_str();
        let mut closed = 0;
        for k in 0..16_i64 {
            let start = now_ms - (20 + k * 19) * DAY;
            if crate::calendar::beijing_today(start).year() < 2025 {
                break;
            }
            let (filer, request) = demo_history_request(k, herself);
            let who = self.demo_session(filer, start).await?;
            let case = self.open_case(&demo_caller(&who, start), &request).await?;
            self.demo_materials(&who, &case, start).await?;
            closed += self
                .seed_demo_history_steps(&case, demo_history_path(filer, k), start)
                .await?;
        }
        self.seed_demo_green_request(now_ms).await?;
        Ok(closed)
    }

    /// Takes one history case along `path` (who, which step, on which day after `start`), each
    /// step an hour into its day; returns 1 when the case was closed.
    async fn seed_demo_history_steps(
        &self,
        case: &Case,
        path: Vec<(&str, &str, i64)>,
        start: i64,
    ) -> Result<usize, AppError> {
        let mut closed = 0;
        let mut version = case.version;
        for (email, step, day) in path {
            let at = start + day * DAY + 3_600_000;
            let actor = self.demo_session(email, at).await?;
            if step == "video_check" {
                let officer = self.demo_session("officer@qiaoyi.example", at).await?;
                self.demo_video_check(&officer, &actor, &case.id, at - 7_200_000)
                    .await?;
                version += 1;
                continue;
            }
            let request = StepRequest {
                step: step.into(),
                expected_version: version,
                reason: if step == "refuse" {
                    "无犯罪记录证明需本人户籍所在地开具；请向户籍地公安机关申请。".into()
                } else {
                    String::new()
                },
                ..StepRequest::default()
            };
            match self
                .step_case(&demo_caller(&actor, at), &case.id, &request)
                .await
            {
                Ok(c) => version = c.version,
                // Beyond 2100 without a calendar: this case stays where it is.
                Err(AppError::NoCalendar(_)) => break,
                Err(e) => return Err(e),
            }
            if step == "close" {
                closed += 1;
            }
        }
        Ok(closed)
    }

    /// Video-check times over the next four working days, and the applicant's passport renewal
    /// booked on the first of them, as she would see it from Prato. Run by `qiaoyi demo`.
    pub async fn seed_demo_video(&self, now_ms: i64) -> Result<usize, AppError> {
        let officer = self.demo_session("officer@qiaoyi.example", now_ms).await?;
        let today = crate::calendar::beijing_today(now_ms);
        let mut published = 0;
        for days in 1..=6 {
            let day = today
                .checked_add(jiff::Span::new().days(days))
                .map_err(|e| AppError::Invalid {
                    field: "date",
                    reason: Reason::Malformed,
                    message: e.to_string(),
                })?;
            if matches!(
                day.weekday(),
                jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
            ) {
                continue;
            }
            published += self
                .publish_slots(
                    &demo_caller(&officer, now_ms),
                    &day.to_string(),
                    "15:00 15:30 16:00 16:30",
                    20,
                )
                .await?;
        }
        let applicant = self.demo_session(DEMO_ACCOUNTS[0].0, now_ms).await?;
        let mine = self
            .cases(
                &demo_caller(&applicant, now_ms),
                crate::cases::CaseList::Mine,
                0,
                100,
            )
            .await?;
        if let Some(renewal) = mine.items.iter().find(|c| {
            c.item.code.as_str() == "EE-01" && c.state == qiaoyi_domain::cases::CaseState::Submitted
        }) && let Some(first) = self.store.open_slots(now_ms, 1).await?.first()
        {
            self.book_video_slot(
                &demo_caller(&applicant, now_ms),
                &renewal.id,
                &first.id,
                "Europe/Rome",
            )
            .await?;
        }
        Ok(published)
    }

    /// The care programme's first records: the applicant's daughter, at home in 仁庄镇 with her
    /// grandmother, linked to her mother's account in Rome; and a boy in 温溪镇 without a parent
    /// account. Recorded by the demo's care coordinator with the mother's consent.
    pub async fn seed_demo_care(&self, now_ms: i64) -> Result<usize, AppError> {
        let care = self.demo_session("care@qiaoyi.example", now_ms).await?;
        let today = crate::calendar::beijing_today(now_ms);
        let ids = self.seed_demo_children(&care, today, now_ms).await?;
        let volunteer = self
            .demo_session("volunteer@qiaoyi.example", now_ms)
            .await?;
        self.seed_demo_pairings(&care, &volunteer, &ids, now_ms)
            .await?;
        self.seed_demo_visit_and_wishes(&care, &volunteer, &ids, today, now_ms)
            .await?;
        self.seed_demo_activity(&care, &volunteer, &ids, today, now_ms)
            .await?;
        Ok(ids.len())
    }

    /// The two children, recorded by the care coordinator with their parents' consent; returns their ids.
    async fn seed_demo_children(
        &self,
        care: &CurrentSession,
        today: jiff::civil::Date,
        now_ms: i64,
    ) -> Result<Vec<String>, AppError> {
        let born = |years: i16| {
            today
                .checked_sub(jiff::Span::new().years(years).days(40))
                .map(|d| d.to_string())
                .unwrap_or_default()
        };
        let children = [
            crate::care::ChildRequest {
                name: "季小雨".into(),
                birth_date: born(9),
                township: "仁庄镇".into(),
                village: "仁庄村".into(),
                school: "仁庄镇中心小学".into(),
                guardian: "陈秀英（外婆）".into(),
                languages: vec!["qingtian".into(), "mandarin".into(), "italian".into()],
                consent_version: qiaoyi_domain::care::CONSENT_VERSION.to_string(),
                consent_by: "季美华".into(),
                consent_relation: "parent".into(),
                photo_allowed: false,
                parents: vec![crate::care::ParentInput {
                    email: DEMO_ACCOUNTS[0].0.into(),
                    country: "IT".into(),
                }],
            },
            crate::care::ChildRequest {
                name: "叶晨阳".into(),
                birth_date: born(12),
                township: "温溪镇".into(),
                village: String::new(),
                school: "温溪镇第一中学".into(),
                guardian: "叶爷爷（祖父）".into(),
                languages: vec!["qingtian".into(), "wenzhou".into(), "mandarin".into()],
                consent_version: qiaoyi_domain::care::CONSENT_VERSION.to_string(),
                consent_by: "叶海燕".into(),
                consent_relation: "parent".into(),
                photo_allowed: false,
                parents: Vec::new(),
            },
        ];
        let mut ids = Vec::new();
        for child in &children {
            ids.push(
                self.record_child(&demo_caller(care, now_ms), child)
                    .await?
                    .id,
            );
        }
        Ok(ids)
    }

    /// The coordinator and the volunteer both volunteer; the family asks for the one from 温溪镇,
    /// and the coordinator pairs the children as proposed.
    async fn seed_demo_pairings(
        &self,
        care: &CurrentSession,
        volunteer: &CurrentSession,
        ids: &[String],
        now_ms: i64,
    ) -> Result<(), AppError> {
        for (session, township, capacity, availability) in [
            (care, "鹤城街道", "3", "工作日晚上"),
            (volunteer, "温溪镇", "5", "周末全天"),
        ] {
            self.save_volunteer_profile(
                &demo_caller(session, now_ms),
                &crate::care_pairing::VolunteerInput {
                    township: township.into(),
                    languages: vec!["qingtian".into(), "mandarin".into()],
                    capacity: capacity.into(),
                    availability: availability.into(),
                },
            )
            .await?;
        }
        // The family asked for the volunteer from 温溪镇 for their daughter.
        self.set_preferred_volunteer(
            &demo_caller(care, now_ms),
            &ids[0],
            &volunteer.actor.user_id,
        )
        .await?;
        let proposal = self.propose_pairings(&demo_caller(care, now_ms)).await?;
        let pairs: Vec<crate::care_pairing::PairChoice> = proposal
            .pairs
            .iter()
            .filter_map(|p| {
                Some(crate::care_pairing::PairChoice {
                    child: p.child_id.clone(),
                    volunteer: p.volunteer_id.clone()?,
                    replaces: String::new(),
                })
            })
            .collect();
        self.confirm_pairings(&demo_caller(care, now_ms), &pairs)
            .await?;
        Ok(())
    }

    /// The proxy parent's first visit to the applicant's daughter, and the children's wishes (hers
    /// taken up).
    async fn seed_demo_visit_and_wishes(
        &self,
        care: &CurrentSession,
        volunteer: &CurrentSession,
        ids: &[String],
        today: jiff::civil::Date,
        now_ms: i64,
    ) -> Result<(), AppError> {
        self.record_visit(
            &demo_caller(volunteer, now_ms),
            &ids[0],
            &crate::care::VisitInput {
                date: today.to_string(),
                topics: vec!["wellbeing".into(), "study".into()],
                notes: "和外婆一起检查了作业，小雨想要一套绘本。".into(),
                follow_up: false,
            },
        )
        .await?;
        let wish = self
            .record_wish(&demo_caller(volunteer, now_ms), &ids[0], "一套彩色绘本")
            .await?;
        // The boy's wish is the coordinator's to record: he may have another proxy parent.
        self.record_wish(&demo_caller(care, now_ms), &ids[1], "一双运动鞋")
            .await?;
        self.advance_wish(
            &demo_caller(care, now_ms),
            &wish.id,
            &crate::care_board::WishStep {
                to: "taken",
                ..Default::default()
            },
        )
        .await?;
        Ok(())
    }

    /// A reading club in 仁庄镇 that the daughter and her proxy parent attended, and the mother's
    /// message to the proxy parent.
    async fn seed_demo_activity(
        &self,
        care: &CurrentSession,
        volunteer: &CurrentSession,
        ids: &[String],
        today: jiff::civil::Date,
        now_ms: i64,
    ) -> Result<(), AppError> {
        let activity = self
            .record_activity(
                &demo_caller(care, now_ms),
                &crate::care_board::ActivityInput {
                    theme: "周末读书会".into(),
                    date: today.to_string(),
                    township: "仁庄镇".into(),
                    place: "仁庄镇文化礼堂".into(),
                    organisers: "仁庄派出所、镇妇联".into(),
                },
            )
            .await?;
        self.record_attendance(
            &demo_caller(care, now_ms),
            &activity.id,
            &ids[..1],
            std::slice::from_ref(&volunteer.actor.user_id),
        )
        .await?;
        let mother = self.demo_session(DEMO_ACCOUNTS[0].0, now_ms).await?;
        self.send_care_message(
            &demo_caller(&mother, now_ms),
            &ids[0],
            "叶警官您好，谢谢您照顾小雨。她最近数学有点吃力，麻烦您多鼓励她。",
        )
        .await?;
        Ok(())
    }

    /// Holds a case's video identity check the way a day at the bureau goes: the officer publishes
    /// a time half an hour ahead, the filer books it and adds the person on file (or, for a minor,
    /// a parent) with her passport, and once the room opens the officer records her identity
    /// confirmed against it. The case's version moves on by one. Used by the demo's histories and
    /// by tests that take a case past "identity verified".
    pub async fn demo_video_check(
        &self,
        officer: &CurrentSession,
        filer: &CurrentSession,
        case_id: &str,
        at: i64,
    ) -> Result<(), AppError> {
        use qiaoyi_domain::video_check::OPENS_BEFORE_MS;
        let opens = (at / 60_000 + 1) * 60_000;
        let mut start = opens + OPENS_BEFORE_MS;
        let beijing = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC);
        // A time the officer holds already moves on by a minute.
        loop {
            let when = jiff::Timestamp::from_millisecond(start)
                .map_err(|e| AppError::Invalid {
                    field: "date",
                    reason: Reason::Malformed,
                    message: e.to_string(),
                })?
                .to_zoned(beijing.clone());
            let published = self
                .publish_slots(
                    &demo_caller(officer, at),
                    &when.date().to_string(),
                    &when.strftime("%H:%M").to_string(),
                    20,
                )
                .await;
            match published {
                Ok(_) => break,
                Err(AppError::Store(crate::StoreError::Conflict { .. }))
                    if start < opens + 2 * OPENS_BEFORE_MS =>
                {
                    start += 60_000;
                }
                Err(e) => return Err(e),
            }
        }
        let slot = self
            .store
            .officer_slots(&officer.actor.user_id, start - 1, 1)
            .await?
            .into_iter()
            .find(|s| s.starts_at == start)
            .ok_or_else(|| AppError::NotFound("the published time".into()))?;
        self.book_video_slot(&demo_caller(filer, at), case_id, &slot.id, "")
            .await?;
        let case = self.load_case(case_id).await?;
        let guardians = qiaoyi_domain::video_check::guardians_needed(
            case.item.guardian_for_minors,
            case.is_minor(crate::calendar::beijing_today(at)),
        );
        let number = format!("E{}", crate::accounts::random_hex(4).to_uppercase());
        let added = self
            .add_video_participant(
                &demo_caller(filer, at),
                case_id,
                &crate::video_check::ParticipantInput {
                    role: if guardians { "parent" } else { "subject" }.into(),
                    name: if guardians {
                        format!("{}的家长", case.person_name)
                    } else {
                        case.person_name.clone()
                    },
                    document_type: "passport".into(),
                    document_number: number.clone(),
                    email: String::new(),
                },
            )
            .await?;
        self.record_video_verdict(
            &demo_caller(officer, start - OPENS_BEFORE_MS),
            case_id,
            &added.row.id,
            &crate::video_check::VerdictInput {
                verdict: "confirmed".into(),
                document_type: "passport".into(),
                document_number: number,
                note: String::new(),
            },
        )
        .await?;
        Ok(())
    }

    /// The applicant's passport renewal waits for a green-channel decision: a new job abroad
    /// starts before the usual time limit ends. Duty leaders find it on their board.
    async fn seed_demo_green_request(&self, now_ms: i64) -> Result<(), AppError> {
        let applicant = self.demo_session(DEMO_ACCOUNTS[0].0, now_ms).await?;
        let mine = self
            .cases(
                &demo_caller(&applicant, now_ms),
                crate::cases::CaseList::Mine,
                0,
                100,
            )
            .await?;
        let Some(renewal) = mine.items.iter().find(|c| {
            c.item.code.as_str() == "EE-01" && c.state == qiaoyi_domain::cases::CaseState::Submitted
        }) else {
            return Ok(());
        };
        let input = crate::green_channel::GreenRequestInput {
            ground: "deadline".into(),
            statement: "我下月初在米兰入职新工作，雇主要求入职时出示有效护照，请尽快办理。".into(),
        };
        self.request_green_channel(
            &demo_caller(&applicant, now_ms),
            &renewal.id,
            &input,
            Some(("employment-letter.pdf", DEMO_PDF)),
        )
        .await?;
        Ok(())
    }

    /// A one-page PDF for every required material of a demo case.
    async fn demo_materials(
        &self,
        who: &CurrentSession,
        case: &Case,
        now_ms: i64,
    ) -> Result<(), AppError> {
        for (i, m) in case.item.materials.iter().enumerate() {
            if m.required {
                let upload = Upload {
                    material: i,
                    file_name: "scan.pdf",
                    content: DEMO_PDF,
                };
                self.upload_case_file(&demo_caller(who, now_ms), &case.id, &upload)
                    .await?;
            }
        }
        Ok(())
    }

    /// Her mother, at home in Qingtian, gave her a mandate for passports and certificates for a
    /// year, confirmed from her own account.
    async fn seed_demo_mandate(
        &self,
        daughter: &CurrentSession,
        now_ms: i64,
    ) -> Result<(), AppError> {
        let mother = self.demo_session("mother@qiaoyi.example", now_ms).await?;
        let today = crate::calendar::beijing_today(now_ms);
        let request = crate::mandates::MandateRequest {
            principal_email: mother.email.clone(),
            relation: "parent".into(),
            items: vec!["EE-01".into(), "EC-01".into()],
            valid_from: today.to_string(),
            valid_to: today
                .checked_add(jiff::Span::new().years(1))
                .map_err(|e| AppError::Invalid {
                    field: "valid_to",
                    reason: Reason::Malformed,
                    message: e.to_string(),
                })?
                .to_string(),
            evidence: "公证委托书 (2026) 浙青证字第 0815 号".into(),
        };
        let mandate = self
            .request_mandate(&demo_caller(daughter, now_ms), &request)
            .await?;
        self.confirm_mandate(&demo_caller(&mother, now_ms), &mandate.id, "")
            .await?;
        Ok(())
    }
}

impl App {
    /// The consultant works around the clock (one shift covering the week), keeps two canned
    /// answers, and has answered the applicant's question about renewing her passport abroad.
    async fn seed_demo_consultations(
        &self,
        applicant: &CurrentSession,
        now_ms: i64,
    ) -> Result<(), AppError> {
        use crate::consultations::{AnswerRequest, OpenRequest};
        let admin = self.demo_session("admin@qiaoyi.example", now_ms).await?;
        let consultant = self
            .demo_session("consultant@qiaoyi.example", now_ms)
            .await?;
        self.set_shifts(
            &demo_caller(&admin, now_ms),
            &consultant.actor.user_id,
            "mon-sun 00:00-24:00",
        )
        .await?;
        for (title, zh, en, it, es) in DEMO_ANSWERS {
            let request = AnswerRequest {
                id: None,
                title: (*title).into(),
                zh: (*zh).into(),
                en: (*en).into(),
                it: (*it).into(),
                es: (*es).into(),
            };
            self.save_canned_answer(&demo_caller(&consultant, now_ms), &request)
                .await?;
        }
        let question = OpenRequest {
            subject: "护照快到期了，在罗马怎么换？".into(),
            body: "我的护照明年四月到期，人在罗马，需要回青田吗？".into(),
            ..OpenRequest::default()
        };
        let opened = self
            .open_consultation(&demo_caller(applicant, now_ms), &question, Lang::Zh)
            .await?;
        self.post_consultation_message(&demo_caller(&consultant, now_ms), None, &opened.consultation.row.id, "不用回国。您可以在罗马服务站提交换发申请，材料齐全后护照会寄到您手上。在线申请入口：事项 EE-01。", None)
        .await?;
        Ok(())
    }
}

/// A day, in milliseconds.
const DAY: i64 = 86_400_000;

/// The `k`-th closed case of the demo's history: filed at the Rome station, at the Madrid station
/// or online by the applicant for herself, in turn. The history is written after today's cases,
/// some of them under way for the same people, so each is filed as "apply anyway".
fn demo_history_request(k: i64, herself: &str) -> (&'static str, CaseRequest) {
    let (filer, request) = match k % 3 {
        0 => (
            "station.rome@qiaoyi.example",
            CaseRequest {
                item: "EC-01".into(),
                person_name: "周立新".into(),
                person_name_latin: "ZHOU LIXIN".into(),
                birth_date: "1980-05-12".into(),
                relation: "other".into(),
                delivery: "station".into(),
                ..CaseRequest::default()
            },
        ),
        1 => (
            "station.madrid@qiaoyi.example",
            CaseRequest {
                item: "EC-01".into(),
                person_name: "叶海燕".into(),
                person_name_latin: "YE HAIYAN".into(),
                birth_date: "1978-09-03".into(),
                relation: "other".into(),
                delivery: "station".into(),
                ..CaseRequest::default()
            },
        ),
        _ => (
            DEMO_ACCOUNTS[0].0,
            CaseRequest {
                item: "EC-01".into(),
                person: herself.into(),
                delivery: "courier".into(),
                ..CaseRequest::default()
            },
        ),
    };
    (
        filer,
        CaseRequest {
            duplicate_ok: true,
            ..request
        },
    )
}

/// The steps the `k`-th history case takes: (who, which step, on which day after filing). Every
/// fifth is refused; the others are issued and delivered.
fn demo_history_path(filer: &'static str, k: i64) -> Vec<(&'static str, &'static str, i64)> {
    let refused = k % 5 == 3;
    let mut path: Vec<(&str, &str, i64)> = vec![
        (filer, "submit", 0),
        ("officer@qiaoyi.example", "accept", 1),
        (filer, "video_check", 2),
        ("officer@qiaoyi.example", "verify_identity", 2),
        ("officer@qiaoyi.example", "start_review", 2),
    ];
    if refused {
        path.extend([
            ("officer@qiaoyi.example", "refuse", 3 + k % 4),
            ("officer@qiaoyi.example", "close", 4 + k % 4),
        ]);
    } else {
        path.extend([
            ("officer@qiaoyi.example", "approve", 3 + k % 4),
            ("officer@qiaoyi.example", "issue", 3 + k % 4),
            ("officer@qiaoyi.example", "deliver", 5 + k % 6),
            ("officer@qiaoyi.example", "close", 6 + k % 6),
        ]);
    }
    path
}

/// The demo consultant's canned answers: a title and the text in Chinese, English, Italian and
/// Spanish.
const DEMO_ANSWERS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "问候",
        "您好，我是青田侨驿的咨询员，很高兴为您服务。请问有什么可以帮您？",
        "Hello, I am a consultant of the Qingtian service. How can I help you?",
        "Buongiorno, sono un consulente del servizio di Qingtian. Come posso aiutarLa?",
        "Hola, soy asesor del servicio de Qingtian. ¿En qué puedo ayudarle?",
    ),
    (
        "护照换发",
        "护照换发无需回国：在您所在国家的服务站提交申请即可，材料齐全后护照寄送到您手中。",
        "You do not need to travel home to renew a passport: apply at the service station in your country, and the passport is sent to you once the documents are complete.",
        "Non serve tornare in Cina per rinnovare il passaporto: presenti la domanda alla stazione di servizio del Suo paese; il passaporto Le viene inviato quando i documenti sono completi.",
        "No necesita viajar para renovar el pasaporte: presente la solicitud en la estación de servicio de su país; el pasaporte se le envía cuando los documentos están completos.",
    ),
];

/// The smallest PDF a viewer opens: one blank A4 page.
const DEMO_PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// The demo's records are made through the use cases, each as the demo account `who` at `now`.
fn demo_caller(who: &CurrentSession, now: i64) -> Caller {
    Caller::signed_in(
        who.clone(),
        Client {
            address: "demo".into(),
        },
        now,
    )
}
