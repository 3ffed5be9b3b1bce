//! Cluster DNS: CoreDNS behind the kube-dns Service.
