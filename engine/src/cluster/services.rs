//! Adding, editing and removing Services and given EndpointSlices, with clusterIP, nodePort,
//! healthCheckNodePort and load-balancer address allocation.

use std::net::Ipv4Addr;

use super::{ClusterState, ServiceEndpoints, VipKind};
use crate::error::ModelError;
use crate::model::*;

impl ClusterState {
    pub fn add_service(&mut self, spec: ServiceSpec) -> Result<ServiceId, ModelError> {
        let key = ObjectKey::new(&spec.namespace, &spec.name);
        if self.service_by_key.contains_key(&key) {
            return Err(ModelError::DuplicateService { service: key });
        }
        self.insert_service(spec, None)
    }

    /// Replaces a Service's spec, keeping its allocated clusterIP, nodePorts and load-balancer
    /// addresses where the new spec leaves them unset (as an apiserver update does).
    pub fn update_service(&mut self, spec: ServiceSpec) -> Result<ServiceId, ModelError> {
        let key = ObjectKey::new(&spec.namespace, &spec.name);
        let old_id = *self
            .service_by_key
            .get(&key)
            .ok_or_else(|| ModelError::UnknownService { service: key.clone() })?;
        let old = self.service(old_id).expect("indexed").clone();
        self.unindex_service(old_id);
        match self.insert_service(spec, Some(&old)) {
            Ok(id) => Ok(id),
            Err(e) => {
                // Put the old one back: a failed edit loses nothing.
                let restored = self.insert_service(old.spec.clone(), Some(&old));
                debug_assert!(restored.is_ok());
                Err(e)
            }
        }
    }

    pub fn remove_service(&mut self, key: &ObjectKey) -> Result<(), ModelError> {
        let id = *self
            .service_by_key
            .get(key)
            .ok_or_else(|| ModelError::UnknownService { service: key.clone() })?;
        self.unindex_service(id);
        Ok(())
    }

    /// Adds an EndpointSlice given as data (for Services without selector). The Service may come
    /// before or after it.
    pub fn add_endpoint_slice(&mut self, slice: EndpointSliceSpec) -> Result<(), ModelError> {
        let svc_key = ObjectKey::new(&slice.namespace, &slice.service_name);
        let list = self.given_slices.entry(svc_key.clone()).or_default();
        list.retain(|s| s.name != slice.name);
        list.push(slice);
        crate::sort::sort_by(list, |a, b| a.name.cmp(&b.name));
        if let Some(&id) = self.service_by_key.get(&svc_key) {
            self.derive_service_endpoints(id);
        }
        Ok(())
    }

    fn unindex_service(&mut self, id: ServiceId) {
        let Some(svc) = self.services[id.0 as usize].take() else { return };
        self.service_by_key.remove(&svc.key());
        if let Some(ip) = svc.cluster_ip {
            self.cluster_ip_owner.remove(&ip);
        }
        self.vip_index.retain(|_, (p, _)| p.service != id);
        self.vip_owner.retain(|_, s| *s != id);
        self.node_port_index.retain(|_, p| p.service != id);
        for p in &svc.ports {
            if p.node_port != 0 {
                self.allocated_node_ports.remove(&p.node_port);
            }
        }
        if svc.health_check_node_port != 0 {
            self.allocated_node_ports.remove(&svc.health_check_node_port);
            self.health_check_index.remove(&svc.health_check_node_port);
        }
        if let Some(sel) = &svc.spec.selector {
            if let Some((k, v)) = sel.iter().next() {
                let index_key = (svc.spec.namespace.clone(), k.clone(), v.clone());
                if let Some(list) = self.selector_index.get_mut(&index_key) {
                    list.retain(|s| *s != id);
                }
            }
        }
        self.endpoints[id.0 as usize] = ServiceEndpoints::default();
        self.refresh_port_names(id);
        if self.dns_service == Some(id) {
            self.dns_service = None;
        }
    }

    fn insert_service(
        &mut self,
        spec: ServiceSpec,
        previous: Option<&Service>,
    ) -> Result<ServiceId, ModelError> {
        let key = ObjectKey::new(&spec.namespace, &spec.name);
        let is_external_name = spec.service_type == ServiceType::ExternalName;
        if is_external_name {
            if spec.external_name.as_deref().unwrap_or("").is_empty() {
                return Err(ModelError::ExternalNameRequired { service: key });
            }
        } else if spec.ports.is_empty() && spec.cluster_ip != ClusterIpSpec::Headless {
            return Err(ModelError::PortsRequired { service: key });
        }
        for (i, p) in spec.ports.iter().enumerate() {
            if p.port == 0 {
                return Err(ModelError::PortOutOfRange {
                    service: key,
                    field: format!("spec.ports[{i}].port"),
                    port: 0,
                });
            }
            if spec.ports[..i].iter().any(|q| q.port == p.port && q.protocol == p.protocol) {
                return Err(ModelError::DuplicateServicePort { service: key, index: i });
            }
            if p.node_port.is_some() && spec.service_type == ServiceType::ClusterIP {
                return Err(ModelError::NodePortForbidden { service: key, index: i });
            }
        }

        // clusterIP
        let cluster_ip = match (spec.service_type, spec.cluster_ip) {
            (ServiceType::ExternalName, _) | (_, ClusterIpSpec::Headless) => None,
            (_, ClusterIpSpec::Ip(ip)) => {
                if !self.settings.service_cidr.contains(ip) {
                    return Err(ModelError::ClusterIpNotInRange {
                        service: key,
                        ip,
                        range: self.settings.service_cidr,
                    });
                }
                if self.cluster_ip_owner.contains_key(&ip) {
                    return Err(ModelError::ClusterIpInUse { service: key, ip });
                }
                Some(ip)
            }
            (_, ClusterIpSpec::Auto) => match previous.and_then(|p| p.cluster_ip) {
                Some(ip) if !self.cluster_ip_owner.contains_key(&ip) => Some(ip),
                _ => Some(self.allocate_cluster_ip(&key)?),
            },
        };

        // nodePorts: requested ones first (all checked before anything is taken), then allocation.
        let wants_node_ports = match spec.service_type {
            ServiceType::NodePort => true,
            ServiceType::LoadBalancer => spec.allocate_load_balancer_node_ports,
            _ => false,
        };
        let (lo, hi) = self.settings.node_port_range;
        let mut taken_here: Vec<u16> = Vec::new();
        for (i, p) in spec.ports.iter().enumerate() {
            if let Some(np) = p.node_port {
                if np < lo || np > hi {
                    return Err(ModelError::NodePortNotInRange {
                        service: key,
                        index: i,
                        port: np,
                        range: (lo, hi),
                    });
                }
                // The same port number on two protocols shares its nodePort within one Service.
                let shared =
                    spec.ports[..i].iter().any(|q| q.node_port == Some(np) && q.port == p.port);
                if !shared && (self.allocated_node_ports.contains(&np) || taken_here.contains(&np))
                {
                    return Err(ModelError::NodePortInUse { service: key, index: i, port: np });
                }
                taken_here.push(np);
            }
        }
        let mut ports: Vec<ServicePort> = Vec::with_capacity(spec.ports.len());
        for (i, p) in spec.ports.iter().enumerate() {
            let node_port = match p.node_port {
                Some(np) => np,
                None if wants_node_ports => {
                    let same_number = ports
                        .iter()
                        .find(|q| q.port == p.port && q.node_port != 0)
                        .map(|q| q.node_port);
                    let kept = previous
                        .and_then(|prev| {
                            prev.ports.iter().find(|q| q.port == p.port && q.protocol == p.protocol)
                        })
                        .map(|q| q.node_port)
                        .filter(|np| {
                            *np != 0
                                && !self.allocated_node_ports.contains(np)
                                && !taken_here.contains(np)
                        });
                    match same_number.or(kept) {
                        Some(np) => np,
                        None => self.allocate_node_port(&key, &taken_here)?,
                    }
                }
                None => 0,
            };
            let _ = i;
            if node_port != 0 {
                taken_here.push(node_port);
            }
            ports.push(ServicePort {
                name: p.name.clone(),
                protocol: p.protocol,
                port: p.port,
                target_port: p.target_port.clone(),
                node_port,
            });
        }

        // healthCheckNodePort: LoadBalancer + eTP Local.
        let needs_hc = spec.service_type == ServiceType::LoadBalancer
            && spec.external_traffic_policy == TrafficPolicy::Local;
        let health_check_node_port = if needs_hc {
            match spec.health_check_node_port {
                Some(hc) => {
                    if hc < lo || hc > hi {
                        return Err(ModelError::NodePortNotInRange {
                            service: key,
                            index: 0,
                            port: hc,
                            range: (lo, hi),
                        });
                    }
                    if self.allocated_node_ports.contains(&hc) || taken_here.contains(&hc) {
                        return Err(ModelError::HealthCheckNodePortInUse {
                            service: key,
                            port: hc,
                        });
                    }
                    hc
                }
                None => {
                    let kept = previous.map(|p| p.health_check_node_port).filter(|hc| {
                        *hc != 0
                            && !self.allocated_node_ports.contains(hc)
                            && !taken_here.contains(hc)
                    });
                    match kept {
                        Some(hc) => hc,
                        None => self.allocate_node_port(&key, &taken_here)?,
                    }
                }
            }
        } else {
            0
        };

        // Load-balancer ingress addresses.
        let load_balancer_ips = if spec.service_type == ServiceType::LoadBalancer {
            if !spec.load_balancer_ips.is_empty() {
                spec.load_balancer_ips.clone()
            } else if let Some(prev) = previous.filter(|p| !p.load_balancer_ips.is_empty()) {
                prev.load_balancer_ips.clone()
            } else {
                vec![self.allocate_lb_ip(&key)?]
            }
        } else {
            Vec::new()
        };

        // Commit.
        let id = match previous {
            Some(p) => p.id,
            None => {
                self.services.push(None);
                self.endpoints.push(ServiceEndpoints::default());
                ServiceId(self.services.len() as u32 - 1)
            }
        };
        if let Some(ip) = cluster_ip {
            self.cluster_ip_owner.insert(ip, id);
            self.vip_owner.insert(ip, id);
        }
        for (i, p) in ports.iter().enumerate() {
            let spid = ServicePortId { service: id, index: i as u16 };
            if let Some(ip) = cluster_ip {
                self.vip_index.insert((ip, p.port, p.protocol), (spid, VipKind::ClusterIp));
                for &ext in &spec.external_ips {
                    self.vip_index
                        .entry((ext, p.port, p.protocol))
                        .or_insert((spid, VipKind::ExternalIp));
                    self.vip_owner.entry(ext).or_insert(id);
                }
                for &lb in &load_balancer_ips {
                    self.vip_index
                        .entry((lb, p.port, p.protocol))
                        .or_insert((spid, VipKind::LoadBalancer));
                    self.vip_owner.entry(lb).or_insert(id);
                }
                if p.node_port != 0 {
                    self.node_port_index.insert((p.node_port, p.protocol), spid);
                }
            }
            if p.node_port != 0 {
                self.allocated_node_ports.insert(p.node_port);
            }
        }
        if health_check_node_port != 0 {
            self.allocated_node_ports.insert(health_check_node_port);
            self.health_check_index.insert(health_check_node_port, id);
        }
        if let Some(sel) = spec.selector.as_ref() {
            if let Some((k, v)) = sel.iter().next() {
                self.selector_index
                    .entry((spec.namespace.clone(), k.clone(), v.clone()))
                    .or_default()
                    .push(id);
            }
        }
        let is_dns = spec.namespace == "kube-system" && spec.name == "kube-dns";
        self.service_by_key.insert(key, id);
        self.services[id.0 as usize] = Some(Service {
            id,
            spec,
            cluster_ip,
            ports,
            load_balancer_ips,
            health_check_node_port,
        });
        if is_dns {
            self.dns_service = Some(id);
        }
        self.refresh_port_names(id);
        self.derive_service_endpoints(id);
        Ok(id)
    }

    fn allocate_cluster_ip(&mut self, key: &ObjectKey) -> Result<Ipv4Addr, ModelError> {
        let cidr = self.settings.service_cidr;
        let usable = cidr.size().saturating_sub(2);
        for i in 0..usable {
            let offset = 1 + (self.next_cluster_ip - 1 + i) % usable.max(1);
            let ip = cidr.nth(offset).expect("inside");
            // The DNS address is reserved for kube-dns.
            if !self.cluster_ip_owner.contains_key(&ip) && ip != self.settings.dns_service_ip {
                self.next_cluster_ip = offset + 1;
                return Ok(ip);
            }
        }
        Err(ModelError::ServiceCidrFull { service: key.clone() })
    }

    fn allocate_node_port(
        &mut self,
        key: &ObjectKey,
        also_taken: &[u16],
    ) -> Result<u16, ModelError> {
        let (lo, hi) = self.settings.node_port_range;
        let span = u32::from(hi - lo) + 1;
        for i in 0..span {
            let port = lo + ((u32::from(self.next_node_port - lo) + i) % span) as u16;
            if !self.allocated_node_ports.contains(&port) && !also_taken.contains(&port) {
                self.next_node_port = if port == hi { lo } else { port + 1 };
                return Ok(port);
            }
        }
        Err(ModelError::NodePortRangeFull { service: key.clone() })
    }

    fn allocate_lb_ip(&mut self, key: &ObjectKey) -> Result<Ipv4Addr, ModelError> {
        let pool = self.settings.load_balancer_pool;
        let usable = pool.size().saturating_sub(2);
        for i in 0..usable {
            let offset = 1 + (self.next_lb_ip - 1 + i) % usable.max(1);
            let ip = pool.nth(offset).expect("inside");
            if !self.vip_owner.contains_key(&ip) {
                self.next_lb_ip = offset + 1;
                return Ok(ip);
            }
        }
        Err(ModelError::LoadBalancerPoolFull { service: key.clone() })
    }
}
