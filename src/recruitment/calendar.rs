//! Working days for the service promises: weekends and Danish public
//! holidays don't count.
use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// Easter Sunday (anonymous Gregorian algorithm).
fn easter(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
}

/// Danish public holidays (helligdage), plus Constitution Day and Christmas
/// Eve, which public offices keep closed. Great Prayer Day was abolished
/// from 2024.
pub fn is_holiday(d: NaiveDate) -> bool {
    let fixed = matches!(
        (d.month(), d.day()),
        (1, 1) | (6, 5) | (12, 24) | (12, 25) | (12, 26)
    );
    if fixed {
        return true;
    }
    let Some(e) = easter(d.year()) else {
        return false;
    };
    let mut moving = vec![-3, -2, 1, 39, 50];
    if d.year() < 2024 {
        moving.push(26);
    }
    moving.into_iter().any(|off| e + Duration::days(off) == d)
}

pub fn is_working_day(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !is_holiday(d)
}

/// The date `n` working days after `d`.
pub fn add_working_days(d: NaiveDate, n: u32) -> NaiveDate {
    let mut out = d;
    let mut left = n;
    while left > 0 {
        out += Duration::days(1);
        if is_working_day(out) {
            left -= 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn danish_holidays() {
        assert_eq!(easter(2026), Some(d(2026, 4, 5)));
        assert_eq!(easter(2027), Some(d(2027, 3, 28)));
        for h in [
            d(2026, 4, 2),
            d(2026, 4, 3),
            d(2026, 4, 6),
            d(2026, 5, 14),
            d(2026, 5, 25),
            d(2026, 12, 24),
            d(2026, 12, 25),
            d(2027, 1, 1),
            d(2026, 6, 5),
        ] {
            assert!(is_holiday(h), "{h}");
        }
        assert!(
            !is_holiday(d(2026, 5, 1)),
            "Store Bededag no longer a holiday (and 1 May is not)"
        );
        assert!(is_holiday(d(2023, 5, 5)), "Store Bededag 2023");
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        assert_eq!(
            add_working_days(d(2026, 11, 26), 1),
            d(2026, 11, 27),
            "Thu → Fri"
        );
        assert_eq!(
            add_working_days(d(2026, 11, 27), 1),
            d(2026, 11, 30),
            "Fri → Mon"
        );
        assert_eq!(add_working_days(d(2026, 11, 27), 5), d(2026, 12, 4));
        // Over Easter 2026: Wed 1 April + 1 working day = Tue 7 April.
        assert_eq!(add_working_days(d(2026, 4, 1), 1), d(2026, 4, 7));
        // Over Christmas: Wed 23 Dec + 1 = Mon 28 Dec.
        assert_eq!(add_working_days(d(2026, 12, 23), 1), d(2026, 12, 28));
    }
}
