//! Anything that looks like a CPR number (the Danish civil registration
//! number) is refused in every field of a placement: ddmmyy-xxxx or
//! ddmmyyxxxx, with a dash, a space or nothing between, where ddmmyy is a
//! real date. The check is deliberately broad — a false alarm costs a
//! rephrased note, a CPR number stored costs a data breach.

/// Whether `text` holds something that looks like a CPR number.
pub fn looks_like_cpr(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let digit = |i: usize| chars.get(i).and_then(|c| c.to_digit(10));
    let mut i = 0;
    while i < chars.len() {
        // A run of exactly six digits (not part of a longer number) …
        let starts = digit(i).is_some() && (i == 0 || digit(i - 1).is_none());
        if starts && (0..6).all(|k| digit(i + k).is_some()) {
            let d: Vec<u32> = (0..6).filter_map(|k| digit(i + k)).collect();
            let mut j = i + 6;
            // … then a dash, a space or nothing …
            if matches!(
                chars.get(j),
                Some('-') | Some(' ') | Some('\u{2011}') | Some('\u{2013}')
            ) {
                j += 1;
            }
            // … then exactly four digits, and no more.
            let four = (0..4).all(|k| digit(j + k).is_some()) && digit(j + 4).is_none();
            let not_longer = !(j == i + 6 && digit(i + 10).is_some());
            if four && not_longer && real_date(d[0] * 10 + d[1], d[2] * 10 + d[3], d[4] * 10 + d[5])
            {
                return true;
            }
        }
        i += 1;
    }
    false
}

/// A day and month that exist, in a two-digit year of either century.
fn real_date(day: u32, month: u32, yy: u32) -> bool {
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        // 1900 was no leap year but 2000 was: yy % 4 == 0 may be either.
        2 if yy.is_multiple_of(4) => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::looks_like_cpr;

    #[test]
    fn cpr_like_numbers_are_found_and_look_alikes_are_not() {
        for (text, cpr, why) in [
            ("010190-1234", true, "with a dash"),
            ("010190 1234", true, "with a space"),
            ("0101901234", true, "ten digits"),
            ("Borgeren 311299-4321 ringede", true, "inside a sentence"),
            ("290200-1234", true, "29 February in a leap year"),
            ("cpr:150575-1111.", true, "between punctuation"),
            ("320190-1234", false, "day 32 does not exist"),
            ("011390-1234", false, "month 13 does not exist"),
            ("290201-1234", false, "29 February in 2001 or 1901"),
            ("310490-1234", false, "31 April"),
            ("00000000000", false, "eleven digits"),
            ("01019012345", false, "eleven digits from a real date"),
            ("1010190-1234", false, "seven digits before the dash"),
            ("010190-12345", false, "five digits after the dash"),
            ("KBH-2024-00123", false, "a case reference"),
            ("24256790", false, "a CVR number"),
            ("1234567890", false, "ten digits without a real date"),
            // A P-number whose first six digits are a date looks like one
            // too: refused, which costs a rephrased note at most.
            ("1012345678", true, "a P-number starting with 10-12-34"),
            ("37,5 timer", false, "hours"),
            ("", false, "empty"),
        ] {
            assert_eq!(looks_like_cpr(text), cpr, "{text}: {why}");
        }
    }
}
