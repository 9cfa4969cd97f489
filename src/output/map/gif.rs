//! `run.gif`: the run as an animation — the same map as `map.png`, one frame every few hours of
//! simulated time, with a clock.

use jiff::{SignedDuration, Timestamp};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{RenderError, Scene, Size, fit_view, fonts, page, style};
use crate::engine::{AgentRun, EndState, RunResult, TrackPoint};

/// Simulated time between two frames.
pub const FRAME_EVERY: SignedDuration = SignedDuration::from_hours(3);
/// Display time of a frame, and of the last one, in hundredths of a second.
const FRAME_DELAY: u16 = 50;
const LAST_DELAY: u16 = 400;

/// The run as it stood at recording time `i`: positions and statuses of that moment, tracks and
/// events up to it.
fn snapshot(result: &RunResult, i: usize) -> RunResult {
    let t = result.sample_times[i];
    let agents = result
        .agents
        .iter()
        .map(|a| {
            let s = a.samples[i];
            let mut track: Vec<TrackPoint> = a.track.iter().copied().filter(|p| p.t <= t).collect();
            if track.last().is_none_or(|p| p.at != s.at) {
                track.push(TrackPoint { t, at: s.at });
            }
            AgentRun {
                track,
                end: EndState {
                    at: s.at,
                    status: s.status,
                    since: t,
                    ..a.end
                },
                ..a.clone()
            }
        })
        .collect();
    RunResult {
        end: t,
        agents,
        events: result.events.iter().filter(|e| e.t <= t).cloned().collect(),
        ..result.clone()
    }
}

/// Which recording times become frames: one every `every`, and always the last.
fn frame_indices(times: &[Timestamp], every: SignedDuration) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for (i, &t) in times.iter().enumerate() {
        match out.last() {
            Some(&j) if t.duration_since(times[j]) < every => {}
            _ => out.push(i),
        }
    }
    if let Some(last) = times.len().checked_sub(1)
        && out.last() != Some(&last)
    {
        out.push(last);
    }
    out
}

/// The animation as GIF bytes, looping.
pub fn run_gif(
    scene: &Scene<'_>,
    size: Size,
    every: SignedDuration,
) -> Result<Vec<u8>, RenderError> {
    fonts();
    let view = fit_view(std::slice::from_ref(scene));
    let (w, h) = (size.width as u16, size.height as u16);
    let indices = frame_indices(&scene.result.sample_times, every);
    let mut out = Vec::new();
    {
        let mut encoder = ::gif::Encoder::new(&mut out, w, h, &[]).map_err(RenderError::from)?;
        encoder
            .set_repeat(::gif::Repeat::Infinite)
            .map_err(RenderError::from)?;
        for (k, &i) in indices.iter().enumerate() {
            let snap = snapshot(scene.result, i);
            // Frames show the run as it goes; the ensemble is where it ends.
            let frame_scene = Scene {
                result: &snap,
                ensemble: None,
                ..*scene
            };
            let mut rgb = vec![0u8; w as usize * h as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut rgb, (size.width, size.height))
                    .into_drawing_area();
                page::run_map(&root, &frame_scene, view, size, k + 1 < indices.len())?;
                // The clock, in the map's top left corner (the title runs across the top).
                let clock = snap.end.strftime("%-d %b %Y  %H:%M UTC").to_string();
                let st = ("sans-serif", 24.0, FontStyle::Bold)
                    .into_font()
                    .color(&style::ROAD_CUT)
                    .pos(Pos::new(HPos::Left, VPos::Top));
                let (cw, ch) = root
                    .estimate_text_size(&clock, &st)
                    .map_err(RenderError::from)?;
                let (x, y) = (page::MAP_LEFT + 8, page::TITLE_HEIGHT + 8);
                root.draw(&Rectangle::new(
                    [(x - 6, y - 4), (x + cw as i32 + 6, y + ch as i32 + 4)],
                    WHITE.mix(0.85).filled(),
                ))
                .map_err(RenderError::from)?;
                root.draw(&Text::new(clock, (x, y), st))
                    .map_err(RenderError::from)?;
                root.present().map_err(RenderError::from)?;
            }
            let mut frame = ::gif::Frame::from_rgb_speed(w, h, &rgb, 10);
            frame.delay = if k + 1 == indices.len() {
                LAST_DELAY
            } else {
                FRAME_DELAY
            };
            encoder.write_frame(&frame).map_err(RenderError::from)?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_every_few_hours_and_the_last() {
        let t0: Timestamp = "2017-08-29T00:00:00Z".parse().unwrap();
        let times: Vec<Timestamp> = (0..=13)
            .map(|k| t0 + SignedDuration::from_mins(30 * k))
            .collect();
        assert_eq!(
            frame_indices(&times, SignedDuration::from_hours(3)),
            vec![0, 6, 12, 13]
        );
        assert_eq!(frame_indices(&[], FRAME_EVERY), Vec::<usize>::new());
    }
}
