//! Pairing children with proxy parents (代理家长): an optimal one-to-one assignment by the
//! Kuhn–Munkres algorithm (pathfinding's `kuhn_munkres_min`) over a cost of distance between
//! townships, a shared language or dialect, the volunteer's load and the family's stated
//! preference.
//!
//! A volunteer who can take `n` more children stands for `n` columns; her `k`-th new child costs
//! `k × LOAD_STEP` more, so children spread over volunteers unless distance or language says
//! otherwise. When there are more children than places, the extra children meet columns that cost
//! `UNPAIRED` each: the assignment pairs as many children as there are places, and among those
//! pairings takes the cheapest.

use crate::failure::Reason;
use jiff::civil::Date;
use pathfinding::kuhn_munkres::kuhn_munkres_min;
use pathfinding::matrix::Matrix;

/// What one kilometre between townships costs.
pub const PER_KM: i64 = 10;
/// What a child and a volunteer without a common language or dialect cost.
pub const NO_COMMON_LANGUAGE: i64 = 400;
/// What each further child of one volunteer costs.
pub const LOAD_STEP: i64 = 50;
/// What the family's preferred volunteer saves.
pub const PREFERRED: i64 = 300;
/// What leaving a child without a proxy parent costs: more than any pairing can.
pub const UNPAIRED: i64 = 1_000_000_000;
/// The most children or places one run pairs.
pub const MAX_SIDE: usize = 5_000;

/// A child as the pairing sees her.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Child {
    pub township: usize,
    /// Languages and dialects spoken, as bits (bit `i` is the `i`-th of a fixed list).
    pub languages: u64,
    /// The volunteer the family asked for, by index.
    pub preferred: Option<usize>,
}

/// A volunteer as the pairing sees her.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Volunteer {
    pub township: usize,
    pub languages: u64,
    /// Children she can have at once, and those she has.
    pub capacity: u32,
    pub load: u32,
}

impl Volunteer {
    pub fn room(&self) -> u32 {
        self.capacity.saturating_sub(self.load)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PairingError {
    #[error("there are no children waiting for a proxy parent")]
    NoChildren,
    #[error(
        "no volunteer has room for another child; raise a volunteer's capacity or add volunteers"
    )]
    NoVolunteers,
    #[error("pair at most 5,000 children or places at once")]
    TooLarge,
}

impl PairingError {
    pub fn reason(&self) -> Reason {
        match self {
            PairingError::NoChildren => Reason::WrongState,
            PairingError::NoVolunteers => Reason::Full,
            PairingError::TooLarge => Reason::TooLarge,
        }
    }
}

/// The cost of pairing `child` with `volunteer` as her first new child, `km` apart.
pub fn cost(child: &Child, volunteer_index: usize, volunteer: &Volunteer, km: u32) -> i64 {
    let mut cost = i64::from(km) * PER_KM + i64::from(volunteer.load) * LOAD_STEP;
    if child.languages & volunteer.languages == 0 {
        cost += NO_COMMON_LANGUAGE;
    }
    if child.preferred == Some(volunteer_index) {
        cost -= PREFERRED;
    }
    cost
}

/// The pairing: for each child, the volunteer she is paired with (`None` when there was no
/// place left), and the total cost of the pairs made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pairing {
    pub volunteer_of: Vec<Option<usize>>,
    pub cost: i64,
}

/// A volunteer paired with a child as her proxy parent, in force or ended, with what the board
/// counts a visit's wait from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyParent {
    pub id: String,
    pub child_id: String,
    pub volunteer_id: String,
    pub volunteer_name: String,
    /// Milliseconds since 1970 (UTC), as every instant here.
    pub paired_at: i64,
    pub paired_by: String,
    pub ended_at: Option<i64>,
    /// When the coordinator was last told the child waits too long for a visit.
    pub alerted_at: Option<i64>,
    /// The child's last visit, if any.
    pub last_visit: Option<Date>,
    /// The child's township.
    pub township: String,
}

/// Pairs `children` with `volunteers` at least total cost, with as many children paired as there
/// are places. `km(a, b)` is the distance between townships `a` and `b`.
pub fn pair(
    children: &[Child],
    volunteers: &[Volunteer],
    km: impl Fn(usize, usize) -> u32,
) -> Result<Pairing, PairingError> {
    if children.is_empty() {
        return Err(PairingError::NoChildren);
    }
    // One column per place: (volunteer, how many new children she has before this one).
    let places: Vec<(usize, u32)> = volunteers
        .iter()
        .enumerate()
        .flat_map(|(v, vol)| (0..vol.room()).map(move |k| (v, k)))
        .collect();
    if places.is_empty() {
        return Err(PairingError::NoVolunteers);
    }
    if children.len() > MAX_SIDE || places.len() > MAX_SIDE {
        return Err(PairingError::TooLarge);
    }
    let columns = places.len().max(children.len());
    let base: Vec<Vec<i64>> = children
        .iter()
        .map(|c| {
            volunteers
                .iter()
                .enumerate()
                .map(|(v, vol)| cost(c, v, vol, km(c.township, vol.township)))
                .collect()
        })
        .collect();
    let mut weights = Vec::with_capacity(children.len() * columns);
    for row in &base {
        for column in 0..columns {
            weights.push(match places.get(column) {
                Some((v, k)) => row[*v] + i64::from(*k) * LOAD_STEP,
                None => UNPAIRED,
            });
        }
    }
    let matrix = Matrix::from_vec(children.len(), columns, weights)
        .unwrap_or_else(|_| unreachable!("rows × columns weights were pushed"));
    let (_, columns_of) = kuhn_munkres_min(&matrix);
    let mut total = 0;
    let volunteer_of = columns_of
        .iter()
        .enumerate()
        .map(|(child, column)| {
            places.get(*column).map(|(v, k)| {
                total += base[child][*v] + i64::from(*k) * LOAD_STEP;
                *v
            })
        })
        .collect();
    Ok(Pairing {
        volunteer_of,
        cost: total,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn line(a: usize, b: usize) -> u32 {
        (a.abs_diff(b) * 7) as u32
    }

    #[test]
    fn near_speakers_of_the_same_dialect_pair_and_a_preference_counts() {
        let children = [
            Child {
                township: 0,
                languages: 0b01,
                preferred: None,
            },
            Child {
                township: 5,
                languages: 0b10,
                preferred: None,
            },
        ];
        let volunteers = [
            Volunteer {
                township: 5,
                languages: 0b10,
                capacity: 1,
                load: 0,
            },
            Volunteer {
                township: 0,
                languages: 0b01,
                capacity: 1,
                load: 0,
            },
        ];
        let p = pair(&children, &volunteers, line).expect("pairing");
        assert_eq!(p.volunteer_of, vec![Some(1), Some(0)]);
        assert_eq!(p.cost, 0);
        // The first family asks for the far volunteer: the saving does not outweigh 35 km and a
        // dialect, so the pairing stays.
        let mut asked = children.clone();
        asked[0].preferred = Some(0);
        assert_eq!(
            pair(&asked, &volunteers, line)
                .expect("pairing")
                .volunteer_of,
            vec![Some(1), Some(0)]
        );
    }

    #[test]
    fn more_children_than_places_pairs_as_many_as_there_are_places() {
        let child = |t| Child {
            township: t,
            languages: 1,
            preferred: None,
        };
        let volunteers = [Volunteer {
            township: 0,
            languages: 1,
            capacity: 3,
            load: 1,
        }];
        let p = pair(&[child(4), child(0), child(9)], &volunteers, line).expect("pairing");
        assert_eq!(p.volunteer_of.iter().flatten().count(), 2);
        assert_eq!(p.volunteer_of[2], None, "the farthest waits");
        assert_eq!(p.cost, 28 * PER_KM + 2 * LOAD_STEP + LOAD_STEP);
    }

    #[test]
    fn bad_runs_are_refused() {
        let full = Volunteer {
            township: 0,
            languages: 1,
            capacity: 2,
            load: 2,
        };
        let child = Child {
            township: 0,
            languages: 1,
            preferred: None,
        };
        assert_eq!(
            pair(&[], std::slice::from_ref(&full), line),
            Err(PairingError::NoChildren)
        );
        assert_eq!(
            pair(std::slice::from_ref(&child), &[full], line),
            Err(PairingError::NoVolunteers)
        );
        assert_eq!(pair(&[child], &[], line), Err(PairingError::NoVolunteers));
    }

    /// The least cost over every way to pair, by trying them all: as many pairs as possible
    /// first, then the cheapest.
    fn brute_force(children: &[Child], volunteers: &[Volunteer]) -> (usize, i64) {
        fn go(
            i: usize,
            children: &[Child],
            volunteers: &[Volunteer],
            taken: &mut Vec<u32>,
            best: &mut (usize, i64),
            paired: usize,
            cost: i64,
        ) {
            if i == children.len() {
                let better = paired > best.0 || (paired == best.0 && cost < best.1);
                if better {
                    *best = (paired, cost);
                }
                return;
            }
            go(i + 1, children, volunteers, taken, best, paired, cost);
            for (v, vol) in volunteers.iter().enumerate() {
                if taken[v] < vol.room() {
                    let c = cost_of(children, i, v, vol) + i64::from(taken[v]) * LOAD_STEP;
                    taken[v] += 1;
                    go(
                        i + 1,
                        children,
                        volunteers,
                        taken,
                        best,
                        paired + 1,
                        cost + c,
                    );
                    taken[v] -= 1;
                }
            }
        }
        fn cost_of(children: &[Child], i: usize, v: usize, vol: &Volunteer) -> i64 {
            cost(
                &children[i],
                v,
                vol,
                line(children[i].township, vol.township),
            )
        }
        let mut best = (0, i64::MAX);
        go(
            0,
            children,
            volunteers,
            &mut vec![0; volunteers.len()],
            &mut best,
            0,
            0,
        );
        best
    }

    fn children() -> impl Strategy<Value = Vec<Child>> {
        proptest::collection::vec(
            (0usize..6, 1u64..4, proptest::option::of(0usize..4)).prop_map(|(t, l, p)| Child {
                township: t,
                languages: l,
                preferred: p,
            }),
            1..7,
        )
    }

    fn volunteers() -> impl Strategy<Value = Vec<Volunteer>> {
        proptest::collection::vec(
            (0usize..6, 1u64..4, 1u32..3, 0u32..2).prop_map(|(t, l, c, load)| Volunteer {
                township: t,
                languages: l,
                capacity: c,
                load: load.min(c),
            }),
            1..4,
        )
    }

    proptest! {
        #[test]
        fn the_pairing_is_optimal(children in children(), volunteers in volunteers()) {
            match pair(&children, &volunteers, line) {
                Ok(p) => {
                    let (paired, least) = brute_force(&children, &volunteers);
                    prop_assert_eq!(p.volunteer_of.iter().flatten().count(), paired);
                    prop_assert_eq!(p.cost, least);
                    // No volunteer gets more than her room.
                    for (v, vol) in volunteers.iter().enumerate() {
                        let given = p.volunteer_of.iter().filter(|x| **x == Some(v)).count();
                        prop_assert!(given as u32 <= vol.room());
                    }
                }
                Err(e) => prop_assert_eq!(e, PairingError::NoVolunteers),
            }
        }
    }
}
