//! The pod network: how a pod's packet reaches its node, how a node reaches a pod, and how a
//! packet for another node's pod travels, for each model of [`PodNetwork`] (the CNI's shape):
//!
//! - `Bridge` (host-gw): the pod's default route via the bridge `cni0` (the `.1` of the
//!   podCIDR), a veth pair, the bridge; to another node's pod, a route to its podCIDR via its
//!   InternalIP, unencapsulated. kindnet, the bridge plugin, flannel's host-gw backend.
//! - `Routed` (VPC-native): the pod's default route via `169.254.1.1` (a link-local gateway
//!   answered by the host veth, as the Amazon VPC CNI and Azure CNI set it), a host route per
//!   pod to its veth (`eni` + 11 hex digits, the VPC CNI's naming), no bridge; another node's
//!   pod is a VPC address, sent to the VPC by the default route, which delivers it to the node
//!   holding it. Amazon VPC CNI, Azure CNI, GKE VPC-native (alias IPs).
//! - `Vxlan` (flannel vxlan): the bridge as in `Bridge`; another node's podCIDR is routed via
//!   `flannel.1`, which wraps the packet in UDP to the other node's InternalIP port 8472 (VNI
//!   1), shown as its own hops: encapsulation, the outer packet on the wire, decapsulation.
//!
//! Imports only [`super::walker`] and [`super::hops`].

use std::net::{Ipv4Addr, SocketAddrV4};

use super::hops::{hop, text};
use super::walker::Walker;
use crate::addr::{FiveTuple, Protocol};
use crate::cluster::PodNetwork;
use crate::model::{Node, ObjectKey};
use crate::trace::{Action, Location, Text};

/// The gateway a Routed pod's default route names (answered by proxy ARP on the host veth).
const LINK_LOCAL_GATEWAY: Ipv4Addr = Ipv4Addr::new(169, 254, 1, 1);
/// flannel's VXLAN port (the Linux default 8472, not IANA's 4789).
const VXLAN_PORT: u16 = 8472;

/// The host end of a Routed pod's veth: `eni` and 11 hex digits of a hash of the pod's key.
pub(in crate::dataplane) fn host_veth(key: &ObjectKey) -> String {
    eni_name(key)
}

fn eni_name(key: &ObjectKey) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.namespace.bytes().chain([b'.']).chain(key.name.bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    format!("eni{:011x}", h & 0xfff_ffff_ffff)
}

impl<'c> Walker<'c> {
    fn model(&self) -> PodNetwork {
        self.c.settings().pod_network
    }

    /// The address a pod's default route names.
    pub(super) fn pod_gateway(&self, node: &Node) -> Ipv4Addr {
        match self.model() {
            PodNetwork::Routed => LINK_LOCAL_GATEWAY,
            PodNetwork::Bridge | PodNetwork::Vxlan => node.bridge_ip(),
        }
    }

    /// The hops from a pod's namespace into its node: its default route, the veth pair and,
    /// with a bridge, the bridge.
    pub(super) fn pod_to_node(
        &mut self,
        node: &'c Node,
        key: &ObjectKey,
        t: FiveTuple,
        reply: bool,
    ) {
        let model = self.model();
        if self.hops.recording() {
            let via = self.pod_gateway(node);
            let why: Text = match (reply, model) {
                (true, _) => text!("the reply leaves the pod by its default route"),
                (false, PodNetwork::Routed) => text!("the pod's only route is its default route, via {via}: a link-local gateway the host end of its veth answers (no bridge)"),
                (false, _) => text!("the pod's only route is its default route, via the node's bridge {via}"),
            };
            hop!(
                self,
                Location::PodNetns { pod: key.clone() },
                t,
                Action::Route { route: text!("default via {via} dev eth0") },
                why
            );
        }
        let veth = if reply {
            "through the veth pair"
        } else {
            "through the veth pair into the node's network namespace"
        };
        hop!(
            self,
            Location::Veth { node: node.shared_name(), pod: key.clone() },
            t,
            Action::Forward,
            veth
        );
        if model != PodNetwork::Routed {
            let bridge = if reply {
                "into the node's bridge"
            } else {
                "the bridge cni0 hands the packet to the node's netfilter hooks (br_netfilter)"
            };
            hop!(self, Location::Bridge { node: node.shared_name() }, t, Action::Bridge, bridge);
        }
    }

    /// The hops from a node into one of its pods: the bridge (with one) and the veth pair.
    pub(super) fn node_to_pod(
        &mut self,
        node: &'c Node,
        key: &ObjectKey,
        t: FiveTuple,
        hairpin: bool,
        reply: bool,
    ) {
        if self.model() != PodNetwork::Routed {
            hop!(
                self,
                Location::Bridge { node: node.shared_name() },
                t,
                Action::Bridge,
                if hairpin {
                    text!("hairpin: the bridge sends the packet back out of the port it came in on")
                } else {
                    text!("the bridge forwards to the veth of pod {k}", k = key.clone())
                }
            );
        }
        let veth = if reply {
            "through the veth pair"
        } else {
            "through the veth pair into the pod's network namespace"
        };
        hop!(
            self,
            Location::Veth { node: node.shared_name(), pod: key.clone() },
            t,
            Action::Forward,
            veth
        );
    }

    /// The route a node takes to `dst`, a pod of its own, and why.
    pub(super) fn local_pod_route(
        &self,
        node: &Node,
        dst: Ipv4Addr,
        key: Option<ObjectKey>,
    ) -> (Text, Text) {
        let (cidr, src) = (node.spec.pod_cidr, node.bridge_ip());
        match self.model() {
            PodNetwork::Routed => {
                let dev = key.as_ref().map_or_else(|| "eni?".to_string(), eni_name);
                (
                    text!("{dst} dev {dev} scope link"),
                    text!("{dst} has a host route of its own, to the veth of its pod (no bridge)"),
                )
            }
            PodNetwork::Bridge | PodNetwork::Vxlan if cidr.contains(dst) => (
                text!("{cidr} dev cni0 proto kernel scope link src {src}"),
                text!("{dst} is in this node's podCIDR {cidr}: out through the bridge"),
            ),
            PodNetwork::Bridge | PodNetwork::Vxlan => (
                text!("{dst} dev cni0 scope link"),
                text!("{dst} is a pod of this node, outside its podCIDR {cidr}: out through the bridge"),
            ),
        }
    }

    /// The route a node takes to `dst`, a pod on `owner`, and why.
    pub(super) fn remote_pod_route(&self, owner: &Node, dst: Ipv4Addr) -> (Text, Text) {
        let (cidr, via) = (owner.spec.pod_cidr, owner.spec.internal_ip);
        match self.model() {
            PodNetwork::Routed => (
                text!("default via the VPC gateway dev eth0"),
                text!("{dst} is a VPC address: the VPC's own routing delivers it to {name}, which holds it (no overlay, no route per node)", name = owner.shared_name()),
            ),
            PodNetwork::Vxlan => {
                let gw = cidr.network();
                (
                    text!("{cidr} via {gw} dev flannel.1 onlink"),
                    text!("{dst} is in {name}'s podCIDR {cidr}: into the VXLAN device flannel.1", name = owner.shared_name()),
                )
            }
            PodNetwork::Bridge if cidr.contains(dst) => (
                text!("{cidr} via {via} dev eth0"),
                text!("{dst} is in {name}'s podCIDR {cidr}: route via its InternalIP", name = owner.shared_name()),
            ),
            PodNetwork::Bridge => (
                text!("{dst} via {via} dev eth0"),
                text!("{dst} is a pod on {name}, outside its podCIDR {cidr}: route via its InternalIP", name = owner.shared_name()),
            ),
        }
    }

    /// The address a node's packets to another node's pods leave from (MASQUERADE's choice).
    pub(super) fn remote_pod_source(&self, node: &Node) -> Ipv4Addr {
        match self.model() {
            // flannel.1 holds the `.0` of the node's podCIDR.
            PodNetwork::Vxlan => node.spec.pod_cidr.network(),
            PodNetwork::Bridge | PodNetwork::Routed => node.spec.internal_ip,
        }
    }

    /// The address a node's packets to its own pods leave from.
    pub(super) fn local_pod_source(&self, node: &Node) -> Ipv4Addr {
        match self.model() {
            PodNetwork::Routed => node.spec.internal_ip,
            PodNetwork::Bridge | PodNetwork::Vxlan => node.bridge_ip(),
        }
    }

    /// A packet between two nodes: on the wire as it is or, for pod traffic with VXLAN,
    /// wrapped in UDP from `from`'s InternalIP to `to`'s port 8472 and unwrapped there.
    pub(super) fn wire_between(
        &mut self,
        from: &Node,
        to: &Node,
        t: FiveTuple,
        explain: Text,
        pod_traffic: bool,
    ) {
        if self.model() != PodNetwork::Vxlan || !pod_traffic {
            hop!(
                self,
                Location::Wire { from: from.shared_name(), to: to.shared_name() },
                t,
                Action::Forward,
                explain
            );
            return;
        }
        // The kernel derives the outer source port from a hash of the inner flow.
        let mut h: u32 = 0x811c_9dc5;
        for b in t.to_string().bytes() {
            h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
        let sport = 32768 + (h % (60999 - 32768 + 1)) as u16;
        let outer = FiveTuple::new(
            Protocol::Udp,
            SocketAddrV4::new(from.spec.internal_ip, sport),
            SocketAddrV4::new(to.spec.internal_ip, VXLAN_PORT),
        );
        hop!(
            self,
            Location::Node { node: from.shared_name() },
            t => outer,
            Action::Forward,
            "flannel.1 encapsulates: the packet rides inside {outer} (VXLAN, VNI 1); the inner packet is unchanged"
        );
        hop!(
            self,
            Location::Wire { from: from.shared_name(), to: to.shared_name() },
            outer,
            Action::Forward,
            "on the wire the node network sees only {a} → {b}, UDP port {VXLAN_PORT}",
            a = from.shared_name(),
            b = to.shared_name()
        );
        hop!(
            self,
            Location::Node { node: to.shared_name() },
            outer => t,
            Action::Forward,
            "flannel.1 decapsulates: the inner packet continues as it left its node"
        );
    }
}
