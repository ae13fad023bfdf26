//! Three-valued answers with reasons: yes, no (because …), or unknown (because …).
//!
//! Combining follows Kleene logic, so one definite "no" decides a conjunction even when
//! other parts are unknown, and unknown never silently becomes yes.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Truth {
    Yes,
    No(Vec<String>),
    Unknown(Vec<String>),
}

impl Truth {
    pub fn no(reason: impl Into<String>) -> Truth {
        Truth::No(vec![reason.into()])
    }

    pub fn unknown(reason: impl Into<String>) -> Truth {
        Truth::Unknown(vec![reason.into()])
    }

    /// Conjunction: no if any part is no (with every "no" reason), yes if all are yes.
    pub fn all(parts: impl IntoIterator<Item = Truth>) -> Truth {
        let mut no = Vec::new();
        let mut unknown = Vec::new();
        for part in parts {
            match part {
                Truth::Yes => {}
                Truth::No(reasons) => no.extend(reasons),
                Truth::Unknown(reasons) => unknown.extend(reasons),
            }
        }
        if !no.is_empty() {
            Truth::No(no)
        } else if !unknown.is_empty() {
            Truth::Unknown(unknown)
        } else {
            Truth::Yes
        }
    }

    pub fn is_yes(&self) -> bool {
        matches!(self, Truth::Yes)
    }

    pub fn reasons(&self) -> &[String] {
        match self {
            Truth::Yes => &[],
            Truth::No(reasons) | Truth::Unknown(reasons) => reasons,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_no_decides_even_with_unknowns() {
        let t = Truth::all([
            Truth::Yes,
            Truth::unknown("status denied"),
            Truth::no("single-region"),
        ]);
        assert_eq!(t, Truth::No(vec!["single-region".into()]));
    }

    #[test]
    fn unknown_is_never_yes() {
        assert_eq!(
            Truth::all([Truth::Yes, Truth::unknown("x")]),
            Truth::Unknown(vec!["x".into()])
        );
        assert_eq!(Truth::all([Truth::Yes, Truth::Yes]), Truth::Yes);
    }
}
