//! The recruitment pipeline's statuses and the changes between them.
code_list! {
    /// Where a recruitment need has got to.
    pub enum NeedStatus {
        New = "new", "Ny", "New";
        InProgress = "in_progress", "Under behandling", "In progress";
        CandidatesProposed = "candidates_proposed", "Kandidater foreslået", "Candidates proposed";
        Filled = "filled", "Besat", "Filled";
        PartlyFilled = "partly_filled", "Delvist besat", "Partly filled";
        ClosedWithoutHire = "closed_without_hire", "Lukket uden ansættelse", "Closed without hire";
        Withdrawn = "withdrawn", "Trukket tilbage", "Withdrawn";
    }
}

impl NeedStatus {
    /// After these nothing more is promised to the business.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            Self::Filled | Self::PartlyFilled | Self::ClosedWithoutHire | Self::Withdrawn
        )
    }

    /// Whether the pipeline allows going from `self` to `to`. Staying is
    /// always allowed (a note or a new assignee); no need goes back to
    /// "new" once someone has looked at it; a closed need can only be
    /// reopened (back to "in progress"); a need is filled only after
    /// someone has worked on it.
    pub fn can_become(self, to: NeedStatus) -> bool {
        use NeedStatus::*;
        if self == to {
            return true;
        }
        match (self, to) {
            (_, New) => false,
            (New, Filled | PartlyFilled) => false,
            (New, _) => true,
            (Filled | ClosedWithoutHire | Withdrawn, InProgress) => true,
            (Filled | ClosedWithoutHire | Withdrawn, _) => false,
            (InProgress | CandidatesProposed | PartlyFilled, _) => true,
        }
    }

    /// The statuses `self` may change to, itself first.
    pub fn next(self) -> Vec<NeedStatus> {
        std::iter::once(self)
            .chain(
                Self::ALL
                    .iter()
                    .copied()
                    .filter(|s| *s != self && self.can_become(*s)),
            )
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::NeedStatus::{self, *};

    #[test]
    fn the_pipeline_allows_only_its_transitions() {
        for (from, to, allowed) in [
            (New, InProgress, true),
            (New, CandidatesProposed, true),
            (New, Withdrawn, true),
            (New, Filled, false),
            (InProgress, Filled, true),
            (CandidatesProposed, InProgress, true),
            (PartlyFilled, Filled, true),
            (Filled, New, false),
            (InProgress, New, false),
            (Filled, InProgress, true),
            (Withdrawn, Filled, false),
            (ClosedWithoutHire, CandidatesProposed, false),
            (Filled, Filled, true),
            (New, New, true),
        ] {
            assert_eq!(from.can_become(to), allowed, "{from:?} → {to:?}");
        }
        assert_eq!(Filled.next(), vec![Filled, InProgress]);
        for s in NeedStatus::ALL {
            assert_eq!(s.next()[0], *s);
        }
    }
}
