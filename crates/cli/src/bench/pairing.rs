//! `qiaoyi bench-pairing`: the care programme's pairing of children with proxy parents
//! (Kuhn–Munkres) on generated profiles, against the 1 s budget for 1,000 × 1,000.

use std::time::Instant;

use qiaoyi_app::domain::care::pairing::{Child, Volunteer, pair};
use serde::Serialize;

/// Townships on a line of this many, `KM_APART` apart: distances from 0 to 90 km.
const TOWNSHIPS: usize = 31;
const KM_APART: u32 = 3;

#[derive(Debug, Serialize)]
pub struct Report {
    pub children: usize,
    pub volunteers: usize,
    pub runs: usize,
    pub paired: usize,
    pub worst_seconds: f64,
    pub best_seconds: f64,
    pub budget_seconds: f64,
}

impl Report {
    pub fn text(&self) -> String {
        format!(
            "pairing {} children with {} volunteers ({} paired), {} runs:\n  best {:.3} s  worst {:.3} s  (budget ≤ {} s: {})\n",
            self.children,
            self.volunteers,
            self.paired,
            self.runs,
            self.best_seconds,
            self.worst_seconds,
            self.budget_seconds,
            if self.worst_seconds <= self.budget_seconds {
                "met"
            } else {
                "NOT met"
            }
        )
    }
}

/// A fixed pseudo-random sequence, so every run pairs the same profiles.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

/// Generated profiles: townships spread over the county, one to three of four dialects,
/// volunteers taking one child each (so 1,000 × 1,000 is a square problem), a tenth of the
/// families naming a volunteer.
pub fn profiles(children: usize, volunteers: usize) -> (Vec<Child>, Vec<Volunteer>) {
    let mut r = Lcg(20261127);
    let v: Vec<Volunteer> = (0..volunteers)
        .map(|_| Volunteer {
            township: r.next(TOWNSHIPS as u64) as usize,
            languages: 1 + r.next(15),
            capacity: 1,
            load: 0,
        })
        .collect();
    let c = (0..children)
        .map(|_| Child {
            township: r.next(TOWNSHIPS as u64) as usize,
            languages: 1 + r.next(15),
            preferred: (r.next(10) == 0).then(|| r.next(volunteers.max(1) as u64) as usize),
        })
        .collect();
    (c, v)
}

pub fn run(children: usize, volunteers: usize, runs: usize) -> anyhow::Result<Report> {
    let (c, v) = profiles(children, volunteers);
    let km = |a: usize, b: usize| a.abs_diff(b) as u32 * KM_APART;
    let mut times = Vec::new();
    let mut paired = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let p = pair(&c, &v, km).map_err(|e| anyhow::anyhow!("{e}"))?;
        times.push(started.elapsed().as_secs_f64());
        paired = p.volunteer_of.iter().flatten().count();
    }
    Ok(Report {
        children,
        volunteers,
        runs,
        paired,
        worst_seconds: times.iter().copied().fold(0.0, f64::max),
        best_seconds: times.iter().copied().fold(f64::MAX, f64::min),
        budget_seconds: 1.0,
    })
}
