//! The animation clock: while playing, advances the playback time by real time × speed on
//! every animation frame. Shared by the full app and the embed view.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_render::{request_animation_frame, AnimationFrame};
use leptos::prelude::*;

use super::state::PlaybackState;

/// Advances `t_ms` by real time × speed on every animation frame while playing.
pub(crate) fn run_clock(play: PlaybackState) {
    // The frame being waited for, and the one whose callback is running (dropped a frame later,
    // so a closure is never freed while it runs).
    let frames: Rc<RefCell<(Option<AnimationFrame>, Option<AnimationFrame>)>> =
        Rc::new(RefCell::new((None, None)));
    let last_ts: Rc<RefCell<Option<f64>>> = Rc::new(RefCell::new(None));

    fn schedule(
        play: PlaybackState,
        frames: Rc<RefCell<(Option<AnimationFrame>, Option<AnimationFrame>)>>,
        last_ts: Rc<RefCell<Option<f64>>>,
    ) {
        let (f2, l2) = (frames.clone(), last_ts.clone());
        let frame = request_animation_frame(move |ts| {
            if !play.playing.get_untracked() {
                *l2.borrow_mut() = None;
                return;
            }
            let dt = l2.borrow().map_or(0.0, |l| (ts - l).clamp(0.0, 100.0));
            *l2.borrow_mut() = Some(ts);
            let end = play.total_ms();
            let t = play.t_ms.get_untracked() + dt * play.speed.get_untracked();
            if t >= end {
                play.t_ms.set(end);
                play.playing.set(false);
                *l2.borrow_mut() = None;
            } else {
                play.t_ms.set(t);
                schedule(play, f2, l2);
            }
        });
        if let Ok(mut f) = frames.try_borrow_mut() {
            let running = f.0.replace(frame);
            f.1 = running;
        }
    }

    super::effect(move || {
        if play.playing.get() {
            *last_ts.borrow_mut() = None;
            schedule(play, frames.clone(), last_ts.clone());
        }
    });
}
