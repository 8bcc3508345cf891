//! Two runs side by side: the figures a regression would move, from two `performance.json`.
//!
//! Instruction counts and request units are deterministic, so any change there is the code's.
//! Times and rates also move with the machine: the load generator's CPU per request, which no
//! change of Bistro touches, shows how much faster or slower the machine ran.

use crate::Results;

/// One compared figure: its name, then its value in the previous run and in this one.
struct Figure {
    name: String,
    previous: Option<f64>,
    now: Option<f64>,
    decimals: usize,
}

fn figures(results: &Results) -> Vec<(String, f64, usize)> {
    let units = &results.request_units;
    let mut out = vec![
        ("read units per complete order".to_owned(), units.total_read, 1),
        (
            "write units per complete order (table + index)".to_owned(),
            (units.total_write + units.total_index_write) as f64,
            0,
        ),
        ("largest item, bytes".to_owned(), units.largest_item as f64, 0),
    ];
    for start in results.cold_start.iter().flatten() {
        out.push((format!("init median ms: {}", start.function), start.init_ms_median, 2));
        if let Some(instructions) = start.init_instructions {
            out.push((format!("init instructions: {}", start.function), instructions as f64, 0));
        }
        if let Some(instructions) = start.first_request_instructions {
            out.push((format!("first request instructions: {}", start.function), instructions as f64, 0));
        }
    }
    for warm in results.warm.iter().flatten() {
        out.push((format!("warm instructions: {}", warm.operation), warm.instructions as f64, 0));
    }
    for size in results.sizes.iter().flatten() {
        out.push((format!("stripped MB: {}", size.function), size.stripped_bytes as f64 / 1e6, 2));
    }
    if let Some(load) = &results.load {
        for s in &load.scenarios {
            out.push((format!("{}: completed/s", s.name), s.completed_per_second, 0));
            out.push((format!("{}: p99 ms", s.name), s.p99_ms, 2));
            out.push((format!("{}: server CPU ms/request", s.name), s.server_cpu_ms_per_request, 3));
            out.push((format!("{}: generator CPU ms/request", s.name), s.generator_cpu_ms_per_request, 3));
        }
        out.push(("peak memory MB".to_owned(), load.peak_memory_mb, 1));
    }
    if let Some(page) = &results.page {
        for (name, score) in [
            ("performance", page.performance),
            ("accessibility", page.accessibility),
            ("best practices", page.best_practices),
            ("SEO", page.seo),
        ] {
            out.push((format!("Lighthouse {name}"), f64::from(score), 0));
        }
        out.push(("guest page LCP ms".to_owned(), page.lcp_ms, 0));
        out.push(("guest page first load, bytes".to_owned(), page.first_load_bytes as f64, 0));
    }
    if let Some(resume) = &results.resume {
        out.push((format!("{}-event resume answered, max ms", resume.events), resume.answered_ms_max, 0));
    }
    if let Some(cost) = &results.cost {
        out.push(("dollars per 1,000 orders".to_owned(), cost.per_1000_orders, 3));
        out.push(("dollars a month idle".to_owned(), cost.idle_per_month, 2));
    }
    out
}

/// Every figure either run has, in this run's order, then those only the previous run had.
fn pair(previous: &Results, now: &Results) -> Vec<Figure> {
    let (before, after) = (figures(previous), figures(now));
    let find = |list: &[(String, f64, usize)], name: &str| list.iter().find(|(n, ..)| n == name).map(|(_, v, _)| *v);
    let mut paired: Vec<Figure> = after
        .iter()
        .map(|(name, value, decimals)| Figure {
            name: name.clone(),
            previous: find(&before, name),
            now: Some(*value),
            decimals: *decimals,
        })
        .collect();
    paired.extend(before.iter().filter(|(name, ..)| find(&after, name).is_none()).map(|(name, value, decimals)| {
        Figure { name: name.clone(), previous: Some(*value), now: None, decimals: *decimals }
    }));
    paired
}

fn cell(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.decimals$}"))
}

/// The report's section comparing this run with `previous`.
pub fn section(previous: &Results, now: &Results) -> String {
    let mut out = format!(
        "## Compared with the previous run\n\nPrevious: {} on {}. Instruction counts and request units depend on the code alone; times and rates also on the machine, and the load generator's CPU per request (the same code in both runs unless the bench changed) shows how fast the machine ran.\n\n| figure | previous | this run | change |\n|---|---:|---:|---:|\n",
        previous.date, previous.machine
    );
    for figure in pair(previous, now) {
        let change = match (figure.previous, figure.now) {
            (Some(before), Some(after)) if before != 0.0 => format!("{:+.0} %", (after / before - 1.0) * 100.0),
            _ => String::new(),
        };
        out += &format!(
            "| {} | {} | {} | {change} |\n",
            figure.name,
            cell(figure.previous, figure.decimals),
            cell(figure.now, figure.decimals)
        );
    }
    out + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request_units::RequestUnits;

    fn run(read: f64) -> Results {
        Results {
            date: "2026-11-29".into(),
            machine: "2 cores".into(),
            request_units: RequestUnits {
                operations: Vec::new(),
                other: Vec::new(),
                total_read: read,
                first_order_read: read,
                total_write: 10,
                total_index_write: 0,
                largest_item: 100,
            },
            paid: None,
            cold_start: None,
            warm: None,
            sizes: None,
            load: None,
            page: None,
            resume: None,
            moving: None,
            cost: None,
        }
    }

    #[test]
    fn a_figure_that_changed_shows_both_values_and_the_change_in_percent() {
        let section = section(&run(20.0), &run(15.0));

        assert!(section.contains("| read units per complete order | 20.0 | 15.0 | -25 % |"), "{section}");
    }

    #[test]
    fn a_figure_only_one_run_has_shows_a_dash_for_the_other() {
        let mut now = run(15.0);
        now.warm = Some(vec![crate::warm::WarmRequest { operation: "menu read".into(), instructions: 1000 }]);

        let section = section(&run(15.0), &now);

        assert!(section.contains("| warm instructions: menu read | - | 1000 |  |"), "{section}");
    }
}
