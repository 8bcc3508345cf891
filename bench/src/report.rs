//! The report's frame: header, machine, verdicts against budgets.

/// "met", or by how much a figure misses its upper bound.
pub fn verdict(value: f64, budget: f64) -> String {
    if value <= budget { "met".into() } else { format!("**missed by {:.0} %**", (value / budget - 1.0) * 100.0) }
}

/// "met", or by how much a figure misses its lower bound.
pub fn verdict_at_least(value: f64, budget: f64) -> String {
    if value >= budget { "met".into() } else { format!("**missed by {:.0} %**", (1.0 - value / budget) * 100.0) }
}

/// The processor and core count, for the report's header.
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_owned());
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().next().and_then(|l| l.split_whitespace().nth(1)).and_then(|kb| kb.parse::<u64>().ok()))
        .map_or_else(String::new, |kb| format!(", {} GiB", kb / (1 << 20)));
    format!(
        "{cores} cores ({}){memory}, {}",
        model.unwrap_or_else(|| "unknown processor".into()),
        std::env::consts::ARCH
    )
}

pub fn today() -> String {
    bistro_domain::jiff::Timestamp::now().strftime("%Y-%m-%d").to_string()
}

/// 12345678 → "12,345,678".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_within_its_budget_is_met_and_one_over_says_by_how_much() {
        assert_eq!(verdict(45.0, 45.0), "met");
        assert_eq!(verdict(90.0, 45.0), "**missed by 100 %**");
        assert_eq!(verdict_at_least(1000.0, 2000.0), "**missed by 50 %**");
    }

    #[test]
    fn large_counts_are_grouped_by_thousands() {
        assert_eq!(thousands(3_241_089), "3,241,089");
        assert_eq!(thousands(999), "999");
    }
}
