//! The cluster settings panel's form: the live cluster's settings written as the flags' text,
//! and the flags a changed form gives, parsed by `manifests::settings_flags` as the CLI's
//! `--service-cidr`, `--detect-local-mode`... are. Only fields the user changed become flags, so
//! the rest stays as the input's objects or inference gave it (and their notes still say so).
//! A link carries the overrides as the same flags (`set=NAME=VALUE`, [`to_link`], [`from_link`]).

use engine::cluster::{ClusterSettings, DetectLocal};
use manifests::settings::SettingsOverrides;
use manifests::settings_flags::SettingsFlags;

/// Sets in `into` what `new` sets.
pub fn merge(into: &mut SettingsOverrides, new: SettingsOverrides) {
    macro_rules! take {
        ($($f:ident),*) => { $( if new.$f.is_some() { into.$f = new.$f; } )* };
    }
    take!(
        service_cidr,
        cluster_cidr,
        node_port_range,
        node_port_addresses,
        masquerade_all,
        detect_local,
        pod_network
    );
}

/// The overrides as a link's `set=` values.
pub fn to_link(o: &SettingsOverrides) -> Vec<String> {
    SettingsFlags::pairs(o)
}

/// A link's `set=` values: the overrides they give, and each one that cannot be used, named
/// (a malformed one leaves the others).
pub fn from_link(sets: &[String]) -> (SettingsOverrides, Vec<String>) {
    let mut problems = Vec::new();
    let mut flags = SettingsFlags::default();
    for s in sets {
        let (name, value) = s.split_once('=').unwrap_or((s, ""));
        if let Err(e) = flags.set(name, value) {
            problems.push(format!("set={s}: {e}; not applied"));
        }
    }
    // A flag that does not parse is named by its error (`--NAME: ...`): left out, the rest
    // is read again.
    loop {
        match flags.overrides() {
            Ok(o) => return (o, problems),
            Err(e) => {
                let name = e.strip_prefix("--").and_then(|r| r.split(':').next()).unwrap_or("");
                problems.push(format!("the link's setting {e}; not applied"));
                if !flags.unset(name) {
                    return (SettingsOverrides::default(), problems);
                }
            }
        }
    }
}

/// The detector modes kube-proxy takes, as the form's select lists them.
pub const DETECT_MODES: [&str; 5] =
    ["ClusterCIDR", "NodeCIDR", "BridgeInterface", "InterfaceNamePrefix", "None"];
/// The pod network models.
pub const POD_NETWORKS: [&str; 3] = ["bridge", "routed", "vxlan"];

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Form {
    pub service_cidr: String,
    pub cluster_cidr: String,
    pub node_port_range: String,
    pub nodeport_addresses: String,
    pub masquerade_all: bool,
    pub detect_mode: String,
    /// The bridge (`BridgeInterface`) or the prefix (`InterfaceNamePrefix`).
    pub detect_iface: String,
    pub pod_network: String,
}

impl Form {
    pub fn of(s: &ClusterSettings) -> Form {
        let kp = &s.kube_proxy;
        let list: Vec<String> = kp.node_port_addresses.iter().map(ToString::to_string).collect();
        let (mode, iface) = match &kp.detect_local {
            DetectLocal::BridgeInterface(b) => ("BridgeInterface", b.clone()),
            DetectLocal::InterfaceNamePrefix(p) => ("InterfaceNamePrefix", p.clone()),
            DetectLocal::None => ("None", String::new()),
            d => (d.mode(), String::new()),
        };
        Form {
            service_cidr: s.service_cidr.to_string(),
            cluster_cidr: s.cluster_cidr.to_string(),
            node_port_range: format!("{}-{}", s.node_port_range.0, s.node_port_range.1),
            nodeport_addresses: list.join(","),
            masquerade_all: kp.masquerade_all,
            detect_mode: mode.to_string(),
            detect_iface: iface,
            pod_network: s.pod_network.as_str().to_string(),
        }
    }

    /// The flags for what differs from `current` (the form of the live cluster).
    pub fn changes(&self, current: &Form) -> SettingsFlags {
        let changed = |a: &String, b: &String| (a.trim() != b.trim()).then(|| a.trim().to_string());
        let detect = self.detect_mode != current.detect_mode
            || (self.detect_iface.trim() != current.detect_iface.trim());
        let iface =
            (!self.detect_iface.trim().is_empty()).then(|| self.detect_iface.trim().to_string());
        SettingsFlags {
            service_cidr: changed(&self.service_cidr, &current.service_cidr),
            cluster_cidr: changed(&self.cluster_cidr, &current.cluster_cidr),
            node_port_range: changed(&self.node_port_range, &current.node_port_range),
            nodeport_addresses: changed(&self.nodeport_addresses, &current.nodeport_addresses),
            masquerade_all: (self.masquerade_all != current.masquerade_all)
                .then_some(self.masquerade_all),
            detect_local_mode: detect.then(|| self.detect_mode.clone()),
            pod_bridge_interface: (detect && self.detect_mode == "BridgeInterface")
                .then(|| iface.clone())
                .flatten(),
            pod_interface_name_prefix: (detect && self.detect_mode == "InterfaceNamePrefix")
                .then_some(iface)
                .flatten(),
            pod_network: changed(&self.pod_network, &current.pod_network),
            ..SettingsFlags::default()
        }
    }
}

/// The notes that say where each setting came from (`settings: ...`), without their label.
pub fn settings_notes<'a>(messages: impl Iterator<Item = &'a str>) -> Vec<String> {
    messages.filter_map(|m| m.split_once("settings: ").map(|(_, rest)| rest.to_string())).collect()
}

thread_local! {
    /// The settings the panel (`components/settings_panel.rs`) applied: every later load of edited
    /// manifests keeps them; a new scenario clears them. The page's one cluster: a wasm page
    /// has one thread.
    static OVERRIDES: std::cell::RefCell<SettingsOverrides> =
        std::cell::RefCell::new(SettingsOverrides::default());
}

/// The overrides the user set in the settings panel.
pub fn current_overrides() -> SettingsOverrides {
    OVERRIDES.with(|o| o.borrow().clone())
}

pub fn set_overrides(overrides: SettingsOverrides) {
    OVERRIDES.with(|o| *o.borrow_mut() = overrides);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unchanged_form_gives_no_flags_and_a_change_gives_only_itself() {
        let s = ClusterSettings::default();
        let form = Form::of(&s);
        assert_eq!(form.service_cidr, "10.96.0.0/12");
        assert_eq!(form.node_port_range, "30000-32767");
        assert_eq!(form.detect_mode, "ClusterCIDR");
        assert_eq!(form.changes(&form), SettingsFlags::default());
        let mut edited = form.clone();
        edited.service_cidr = "172.20.0.0/16".into();
        edited.detect_mode = "BridgeInterface".into();
        edited.detect_iface = "cni0".into();
        let flags = edited.changes(&form);
        assert_eq!(flags.service_cidr.as_deref(), Some("172.20.0.0/16"));
        assert_eq!(flags.cluster_cidr, None);
        let o = flags.overrides().expect("the CLI's parser reads them");
        assert_eq!(o.detect_local, Some(DetectLocal::BridgeInterface("cni0".into())));
        // A bad field is the CLI's own error, naming the flag.
        let mut bad = form.clone();
        bad.node_port_range = "thirty".into();
        let e = bad.changes(&form).overrides().unwrap_err();
        assert!(e.starts_with("--node-port-range:"), "{e}");
        // The form of settings with an interface detector round-trips.
        let mut s2 = s.clone();
        s2.kube_proxy.detect_local = DetectLocal::InterfaceNamePrefix("eni".into());
        let f2 = Form::of(&s2);
        assert_eq!(
            (f2.detect_mode.as_str(), f2.detect_iface.as_str()),
            ("InterfaceNamePrefix", "eni")
        );
    }

    /// The panel's overrides travel in a link and come back the same; a malformed one is named
    /// and leaves the others.
    #[test]
    fn overrides_round_trip_through_a_link() {
        let o = SettingsOverrides {
            service_cidr: "172.20.0.0/16".parse().ok(),
            cluster_cidr: "10.100.0.0/16".parse().ok(),
            node_port_range: Some((31000, 31999)),
            node_port_addresses: Some(vec!["192.168.1.0/24".parse().expect("cidr")]),
            masquerade_all: Some(true),
            detect_local: Some(DetectLocal::BridgeInterface("cni0".into())),
            pod_network: Some(engine::cluster::PodNetwork::Vxlan),
            ..SettingsOverrides::default()
        };
        let sets = to_link(&o);
        let q = crate::url::PageUrl { settings: sets.clone(), ..Default::default() }.query();
        let read = crate::url::parse(&q, "");
        assert_eq!(read.settings, sets, "{q}");
        assert_eq!(from_link(&read.settings), (o.clone(), Vec::new()));
        for d in [
            DetectLocal::None,
            DetectLocal::NodeCidr,
            DetectLocal::InterfaceNamePrefix("eni".into()),
        ] {
            let o = SettingsOverrides { detect_local: Some(d), ..SettingsOverrides::default() };
            assert_eq!(from_link(&to_link(&o)), (o, Vec::new()));
        }
        // Malformed: each named, the rest applied.
        let sets = vec![
            "node-port-range=thirty".to_string(),
            "masquerade-all=maybe".to_string(),
            "colour=blue".to_string(),
            "service-cidr=172.20.0.0/16".to_string(),
        ];
        let (got, problems) = from_link(&sets);
        assert_eq!(got.service_cidr, o.service_cidr);
        assert_eq!(got.node_port_range, None);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(
            problems.iter().any(|p| p.contains("--node-port-range: \"thirty\" is not FROM-TO")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.starts_with("set=masquerade-all=maybe: ")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.starts_with("set=colour=blue: --colour: not a setting")),
            "{problems:?}"
        );
    }

    #[test]
    fn notes_keep_what_follows_their_label() {
        let m = ["Note: settings: service CIDR 34.118.224.0/20 inferred: GKE's", "Warning: other"];
        assert_eq!(
            settings_notes(m.into_iter()),
            vec!["service CIDR 34.118.224.0/20 inferred: GKE's"]
        );
    }
}
