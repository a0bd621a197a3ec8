//! Roles as readers see them: the role's name in the reader's language and its scope by name (an
//! officer's category, a station, a township), never the stored text such as
//! `officer:exit-entry`.

use crate::AppState;
use crate::i18n::Prefs;

/// The names a grant's scope may stand for, read once per page.
pub(crate) struct GrantNames {
    scopes: Vec<(String, String)>,
}

impl GrantNames {
    /// The categories' and stations' names in the reader's language. Without a catalogue the
    /// scopes show as stored: the page still works, and the catalogue's absence is reported where
    /// it matters (the catalogue pages, applying).
    pub(crate) async fn load(state: &AppState, p: &Prefs) -> GrantNames {
        let mut scopes = Vec::new();
        match state.app.categories().await {
            Ok(categories) => scopes.extend(
                categories
                    .into_iter()
                    .map(|c| (c.code.as_str().to_owned(), c.name.get(p.lang).to_owned())),
            ),
            Err(e) => tracing::warn!(error = %e, "category names for roles"),
        }
        match state.app.stations().await {
            Ok(stations) => scopes.extend(
                stations
                    .into_iter()
                    .map(|s| (s.code.as_str().to_owned(), s.name.get(p.lang).to_owned())),
            ),
            Err(e) => tracing::warn!(error = %e, "station names for roles"),
        }
        GrantNames { scopes }
    }

    /// A category's or station's name; a scope it does not know (a township, say) as given.
    pub(crate) fn scope<'s>(&'s self, code: &'s str) -> &'s str {
        self.scopes
            .iter()
            .find(|(c, _)| c == code)
            .map_or(code, |(_, name)| name.as_str())
    }

    /// A role and its scope (a category or station code, a township's name, or nothing).
    pub(crate) fn role(&self, p: &Prefs, role: &str, scope: &str) -> String {
        let role = p.t(&format!("role-{role}"));
        if scope.is_empty() {
            return role;
        }
        format!("{role} · {}", self.scope(scope))
    }

    /// A grant as stored: `role` or `role:scope`.
    pub(crate) fn grant(&self, p: &Prefs, grant: &str) -> String {
        let (role, scope) = grant.split_once(':').unwrap_or((grant, ""));
        self.role(p, role, scope)
    }
}
