//! Leptos components, one public component per file, plus the shared state and actions.
//!
//! Views are compiled with Leptos' `erase_components`: every distinct closure type (an event
//! handler, a reactive attribute or child, an effect) is its own copy of Leptos' code in the
//! bundle. So a component gives its many controls one handler type (an enum of what was
//! clicked, as `pick::Click`), and effects go through [`effect`].

pub mod actions;
pub mod app;
pub mod clock;
pub mod dns_pick;
pub mod editor_notice;
pub mod hop_list;
pub mod inspector;
pub mod learn;
pub mod loading;
pub mod object_panel;
pub mod open_link;
pub mod packet_canvas;
pub mod panels;
pub mod pick;
pub mod playback;
pub mod policy_matrix;
pub mod settings_panel;
pub mod share;
pub mod state;
pub mod timeline_panel;
pub mod toolbar;
pub mod topology;
pub mod whatif;

/// An effect (`leptos::prelude::Effect::new`) behind one boxed closure: every effect of the app
/// shares one copy of Leptos' effect code in the bundle instead of one per closure type.
pub fn effect(f: impl FnMut() + 'static) {
    let mut f: Box<dyn FnMut()> = Box::new(f);
    leptos::prelude::Effect::new(move |_| f());
}
