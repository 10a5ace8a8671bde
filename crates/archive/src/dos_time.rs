//! MS-DOS date and time fields (zip), read as UTC.

/// Seconds since the Unix epoch, or `None` when the month is not 1–12 (e.g. zeroed fields).
/// Other fields are taken arithmetically, as Python's `calendar.timegm` does.
pub(crate) fn to_unix(date: u16, time: u16) -> Option<i64> {
    let year = i64::from(date >> 9) + 1980;
    let month = i64::from((date >> 5) & 0xf);
    let day = i64::from(date & 0x1f);
    if !(1..=12).contains(&month) {
        return None;
    }
    let hour = i64::from(time >> 11);
    let minute = i64::from((time >> 5) & 0x3f);
    let second = i64::from(time & 0x1f) * 2;
    let days = days_from_civil(year, month, 1) + day - 1;
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second)
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        // 1980-01-01 00:00:00
        assert_eq!(to_unix((1 << 5) | 1, 0), Some(315_532_800));
        // 2009-06-07 21:32:46 → 1244410366
        let date = ((2009 - 1980) << 9) | (6 << 5) | 7;
        let time = (21 << 11) | (32 << 5) | 23;
        assert_eq!(to_unix(date, time), Some(1_244_410_366));
        assert_eq!(to_unix(0, 0), None);
    }
}
