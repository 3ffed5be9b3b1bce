//! Leptos components, one public component per file, plus the shared state and actions.

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
