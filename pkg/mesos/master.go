package mesos

import (
	"encoding/binary"
	"net"
	"strconv"
)

// MasterInfo describes a Mesos master: it is what SUBSCRIBED carries in
// master_info and what a master writes into its ZooKeeper node.
type MasterInfo struct {
	ID           string             `json:"id"`
	IP           uint32             `json:"ip"`
	Port         uint32             `json:"port"`
	PID          string             `json:"pid,omitempty"`
	Hostname     string             `json:"hostname,omitempty"`
	Version      string             `json:"version,omitempty"`
	Address      *Address           `json:"address,omitempty"`
	Domain       *DomainInfo        `json:"domain,omitempty"`
	Capabilities []MasterCapability `json:"capabilities,omitempty"`
}

// Address is a network address as Mesos writes it: a hostname and/or an IP
// string, and a port.
type Address struct {
	Hostname string `json:"hostname,omitempty"`
	IP       string `json:"ip,omitempty"`
	Port     int32  `json:"port"`
}

// DomainInfo is the fault domain (region and zone) of a master or agent.
type DomainInfo struct {
	FaultDomain *FaultDomain `json:"fault_domain,omitempty"`
}

// FaultDomain names a region and a zone.
type FaultDomain struct {
	Region struct {
		Name string `json:"name"`
	} `json:"region"`
	Zone struct {
		Name string `json:"name"`
	} `json:"zone"`
}

// MasterCapability is one capability a master announces, such as
// AGENT_UPDATE or AGENT_DRAINING. Mesos 1.11 writes its third capability,
// QUOTA_V2, as {} in the v1 API (the v1 proto lacks the name), so Type may
// be empty.
type MasterCapability struct {
	Type string `json:"type,omitempty"`
}

// IPString turns the ip field into dotted form. Mesos stores the address's
// network-order bytes as a host-order integer (MESOS-1201), so on the
// little-endian machines every master runs on, the low byte is the first
// octet: 169978048 is 192.168.33.10.
func (m MasterInfo) IPString() string {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], m.IP)
	return net.IP(b[:]).String()
}

// PackIP is the inverse of IPString: it encodes a dotted IPv4 address the way
// a Mesos master fills in the ip field. It returns 0 for anything that is not
// an IPv4 address.
func PackIP(ip string) uint32 {
	v4 := net.ParseIP(ip).To4()
	if v4 == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(v4)
}

// HostPort returns where to reach the master: address.ip (or
// address.hostname) and address.port when present, else the decoded ip field
// and port. The IP comes first because a master's hostname (mesos-master on
// the Vagrant VMs) rarely resolves on the laptop that runs the client.
func (m MasterInfo) HostPort() string {
	if a := m.Address; a != nil && a.Port != 0 {
		host := a.IP
		if host == "" {
			host = a.Hostname
		}
		if host != "" {
			return net.JoinHostPort(host, strconv.Itoa(int(a.Port)))
		}
	}
	host := m.IPString()
	if m.IP == 0 {
		host = m.Hostname
	}
	return net.JoinHostPort(host, strconv.Itoa(int(m.Port)))
}
