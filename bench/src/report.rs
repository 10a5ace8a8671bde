//! The result table: one row per goal, with the native baseline of the same run beside it.

use crate::timing::rate;
use std::fmt::Write;
use std::time::Duration;

pub enum Goal {
    /// Guest speed over native speed must be at least this.
    RatioAtLeast(f64),
    /// The measured value (in the row's `value`) must be at most this.
    AtMost { limit: f64, shown: &'static str },
    /// Guest time over native time must be at most this.
    Slowdown(f64),
    /// Not a goal: a ceiling or context figure.
    Info,
}

pub struct Row {
    pub figure: String,
    pub measured: String,
    pub baseline: String,
    /// Guest speed relative to native (native time / guest time).
    pub ratio: Option<f64>,
    /// What an [`Goal::AtMost`] goal is checked against.
    pub value: f64,
    pub goal: Goal,
}

impl Row {
    pub fn ratio(figure: impl Into<String>, measured: String, baseline: String, ratio: f64, goal: f64) -> Self {
        Self { figure: figure.into(), measured, baseline, ratio: Some(ratio), value: ratio, goal: Goal::RatioAtLeast(goal) }
    }

    /// A throughput row: `bytes` processed in `guest` and `native` time, ratio against `goal`.
    pub fn throughput(figure: impl Into<String>, bytes: u64, guest: Duration, native: Duration, goal: f64) -> Self {
        let ratio = native.as_secs_f64() / guest.as_secs_f64();
        Self::ratio(figure, rate(bytes, guest), rate(bytes, native), ratio, goal)
    }

    /// A whole-process comparison: guest time at most `limit` times the native tool's.
    pub fn slowdown(figure: impl Into<String>, measured: String, baseline: String, guest: Duration, native: Duration, limit: f64) -> Self {
        let slower = guest.as_secs_f64() / native.as_secs_f64();
        Self {
            figure: figure.into(),
            measured,
            baseline,
            ratio: Some(1.0 / slower),
            value: slower,
            goal: Goal::Slowdown(limit),
        }
    }

    pub fn at_most(figure: impl Into<String>, measured: String, baseline: String, value: f64, limit: f64, shown: &'static str) -> Self {
        Self { figure: figure.into(), measured, baseline, ratio: None, value, goal: Goal::AtMost { limit, shown } }
    }

    pub fn info(figure: impl Into<String>, measured: String, baseline: String, ratio: Option<f64>) -> Self {
        Self { figure: figure.into(), measured, baseline, ratio, value: 0.0, goal: Goal::Info }
    }

    fn goal_text(&self) -> String {
        match &self.goal {
            Goal::RatioAtLeast(g) => format!(">= {g:.2}x"),
            Goal::AtMost { shown, .. } => format!("<= {shown}"),
            Goal::Slowdown(limit) => format!("<= {limit}x time"),
            Goal::Info => "-".into(),
        }
    }

    fn verdict(&self) -> &'static str {
        match &self.goal {
            Goal::RatioAtLeast(g) if self.value >= *g => "PASS",
            Goal::AtMost { limit, .. } if self.value <= *limit => "PASS",
            Goal::Slowdown(limit) if self.value <= *limit => "PASS",
            Goal::Info => "info",
            _ => "BELOW GOAL",
        }
    }

    fn cells(&self) -> [String; 6] {
        [
            self.figure.clone(),
            self.measured.clone(),
            self.baseline.clone(),
            self.ratio.map_or_else(|| "-".into(), |r| format!("{r:.2}x")),
            self.goal_text(),
            self.verdict().into(),
        ]
    }
}

const HEADERS: [&str; 6] = ["Figure", "Guest (measured)", "Native baseline", "Ratio", "Goal", "Verdict"];

pub fn plain(rows: &[Row]) -> String {
    let cells: Vec<[String; 6]> = rows.iter().map(Row::cells).collect();
    let mut widths = HEADERS.map(|h| h.chars().count());
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, row: &[String]| {
        for (i, (c, w)) in row.iter().zip(widths).enumerate() {
            let pad = w - c.chars().count();
            // Text columns left-aligned, figures right-aligned.
            if i == 0 || i == 5 {
                let _ = write!(out, "{c}{}", " ".repeat(pad));
            } else {
                let _ = write!(out, "{}{c}", " ".repeat(pad));
            }
            out.push_str(if i + 1 < row.len() { "  " } else { "\n" });
        }
    };
    line(&mut out, &HEADERS.map(String::from));
    line(&mut out, &widths.map(|w| "-".repeat(w)));
    for row in &cells {
        line(&mut out, row);
    }
    out
}

pub fn markdown(rows: &[Row]) -> String {
    let mut out = format!("| {} |\n|{}\n", HEADERS.join(" | "), "---|".repeat(HEADERS.len()));
    for row in rows {
        let _ = writeln!(out, "| {} |", row.cells().join(" | "));
    }
    out
}
