//! Rendering rule tables as iptables-restore text.
