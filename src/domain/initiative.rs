//! The strategy's vocabulary: initiative statuses, update rhythms, the
//! direction of a key figure and the figures computed from the records.
code_list! {
    /// Where an initiative stands, as its owner last reported.
    pub enum InitiativeStatus {
        NotStarted = "not_started", "Ikke startet", "Not started";
        OnTrack = "on_track", "På rette spor", "On track";
        AtRisk = "at_risk", "I risiko", "At risk";
        Delayed = "delayed", "Forsinket", "Delayed";
        Completed = "completed", "Gennemført", "Completed";
        Stopped = "stopped", "Stoppet", "Stopped";
    }
}

impl InitiativeStatus {
    /// Nothing more is expected of a completed or stopped initiative: no
    /// update rhythm, no late milestones.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Completed | Self::Stopped)
    }
}

code_list! {
    /// How often an initiative's owner posts a status update.
    pub enum UpdateInterval {
        Weekly = "7", "Hver uge", "Every week";
        Fortnightly = "14", "Hver anden uge", "Every other week";
        Monthly = "30", "Hver måned", "Every month";
        Quarterly = "91", "Hvert kvartal", "Every quarter";
    }
}

impl UpdateInterval {
    pub fn days(self) -> i32 {
        match self {
            Self::Weekly => 7,
            Self::Fortnightly => 14,
            Self::Monthly => 30,
            Self::Quarterly => 91,
        }
    }

    /// The interval stored as `days` (an unknown number: monthly).
    pub fn from_days(days: i32) -> Self {
        Self::ALL
            .iter()
            .copied()
            .find(|i| i.days() == days)
            .unwrap_or(Self::Monthly)
    }
}

code_list! {
    /// Which way a key figure should move.
    pub enum Direction {
        Higher = "higher", "Højere er bedre", "Higher is better";
        Lower = "lower", "Lavere er bedre", "Lower is better";
    }
}

code_list! {
    /// Where a key figure's values come from: typed in, or computed from
    /// the records every time they are shown.
    pub enum FigureSource {
        Manual = "manual", "Indtastet", "Typed in";
        BusinessesInContact = "businesses_in_contact", "Beregnet: kontakter", "Computed: contacts";
        ContactsPerMonth = "contacts_per_month", "Beregnet: kontakter pr. type", "Computed: contacts by kind";
        NeedsReceived = "needs_received", "Beregnet: rekrutteringsbehov pr. status", "Computed: recruitment needs by status";
        NeedsAnsweredInTime = "needs_answered_in_time", "Beregnet: servicemålet", "Computed: the service promise";
        PositionsFilled = "positions_filled", "Beregnet: besatte stillinger", "Computed: positions filled";
        ActivePlacements = "active_placements", "Beregnet: placeringer pr. type", "Computed: placements by type";
    }
}

code_list! {
    /// A key figure against its target, judged from its trend.
    pub enum FigureTrack {
        Reached = "reached", "Målet er nået", "Target reached";
        OnTrack = "on_track", "På rette spor", "On track";
        OffTrack = "off_track", "Ikke på rette spor", "Off track";
        NoTarget = "no_target", "Intet mål", "No target";
        NoData = "no_data", "Ingen tal endnu", "No figures yet";
    }
}

/// A decimal number as people type it: `74`, `12,5`, `12.5`, `-3`,
/// `1.234,5` or `1,234.5` (with both separators the last one is the
/// decimal point). Not a number, or not finite: an error.
pub fn parse_number(s: &str) -> Result<f64, crate::domain::DomainError> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if s.is_empty() || s.len() > 30 {
        return Err(crate::domain::DomainError::NumberFormat);
    }
    let normalised = match (s.rfind(','), s.rfind('.')) {
        (Some(c), Some(d)) if c > d => s.replace('.', "").replace(',', "."),
        (Some(_), Some(_)) => s.replace(',', ""),
        (Some(_), None) => s.replace(',', "."),
        _ => s,
    };
    let ok = normalised
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || c == '.' || (i == 0 && c == '-'));
    normalised
        .parse::<f64>()
        .ok()
        .filter(|v| ok && v.is_finite())
        .ok_or(crate::domain::DomainError::NumberFormat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_in_danish_and_english_notation() {
        for (typed, value) in [
            ("74", 74.0),
            (" 12,5 ", 12.5),
            ("12.5", 12.5),
            ("-3", -3.0),
            ("1.234,5", 1234.5),
            ("1,234.5", 1234.5),
            ("1 600", 1600.0),
        ] {
            assert_eq!(parse_number(typed), Ok(value), "{typed}");
        }
        for bad in ["", "abc", "1e5", "12,5,6", "inf", "NaN", "--1", "1-2"] {
            assert!(parse_number(bad).is_err(), "{bad}");
        }
        assert_eq!(UpdateInterval::from_days(91), UpdateInterval::Quarterly);
        assert_eq!(UpdateInterval::from_days(5), UpdateInterval::Monthly);
    }
}
