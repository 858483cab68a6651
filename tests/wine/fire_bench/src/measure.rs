//! Timing: batches of calls long enough for the clock to be exact, repeated,
//! and two contenders alternated batch by batch so that load from other
//! processes (the machine is shared) falls on both alike.

use std::time::{Duration, Instant};

/// Per-call times in nanoseconds, one per batch.
#[derive(Debug, Clone, Default)]
pub struct Samples(pub Vec<f64>);

impl Samples {
    pub fn median(&self) -> f64 {
        let mut sorted = self.0.clone();
        sorted.sort_by(f64::total_cmp);
        match sorted.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => sorted[n / 2],
            n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
        }
    }

    pub fn min(&self) -> f64 {
        self.0.iter().copied().fold(f64::INFINITY, f64::min)
    }
}

/// How many calls of `f` take about `target`.
pub fn calibrate(target: Duration, f: &mut impl FnMut()) -> u64 {
    let mut calls = 1u64;
    loop {
        let elapsed = time(calls, f);
        if elapsed >= target / 4 {
            let scaled = calls as f64 * target.as_secs_f64() / elapsed.as_secs_f64();
            return scaled.max(1.0) as u64;
        }
        calls *= 2;
    }
}

fn time(calls: u64, f: &mut impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..calls {
        f();
    }
    start.elapsed()
}

/// `a` and `b`, each in `rounds` batches of about `target`, alternated:
/// their per-call samples.
pub fn interleaved(
    rounds: usize,
    target: Duration,
    mut a: impl FnMut(),
    mut b: impl FnMut(),
) -> (Samples, Samples) {
    let calls_a = calibrate(target, &mut a);
    let calls_b = calibrate(target, &mut b);
    let (mut samples_a, mut samples_b) = (Samples::default(), Samples::default());
    for _ in 0..rounds {
        samples_a.0.push(per_call(calls_a, &mut a));
        samples_b.0.push(per_call(calls_b, &mut b));
    }
    (samples_a, samples_b)
}

/// Nanoseconds per call over one batch of `calls`.
pub fn per_call(calls: u64, f: &mut impl FnMut()) -> f64 {
    time(calls, f).as_nanos() as f64 / calls as f64
}
