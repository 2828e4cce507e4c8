package leader

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Master says where to find the leading Mesos master: either one master's
// HTTP address, or the ZooKeeper group in which all masters register. Parse
// builds one from the forms Mesos itself accepts.
type Master struct {
	// Scheme is "http", "https" or "zk".
	Scheme string
	// Hosts holds host:port pairs: the master's address for http and
	// https, the ZooKeeper servers for zk.
	Hosts []string
	// Path is the ZooKeeper group path, such as "/mesos" (zk only).
	Path string
	// User and Password are the ZooKeeper digest credentials of a
	// zk://user:password@... address (zk only, optional). String and
	// GoString never show the password, and neither does any error or log
	// line of this package.
	User, Password string
}

// Default ports, used when an address leaves the port out.
const (
	// DefaultMasterPort is the port of a master given as a bare host.
	DefaultMasterPort = 5050
	// DefaultZooKeeperPort is the port of a ZooKeeper server in a zk://
	// address that names none.
	DefaultZooKeeperPort = 2181
)

// expectedForms ends every parse error, so the reader sees what would work.
const expectedForms = "want http://host:port, https://host:port, host:port or zk://[user:password@]host:port[,host:port...]/path"

// Parse reads a master address in one of the forms Mesos accepts for
// --master:
//
//	http://10.0.0.5:5050        a master's HTTP address
//	https://mesos.example:5050  the same over TLS
//	10.0.0.5:5050               host:port, meaning http (port 5050 if left out)
//	zk://host1:2181,host2:2181/mesos                 a ZooKeeper group
//	zk://user:password@host1:2181,host2:2181/mesos   with digest credentials
//
// A ZooKeeper server without a port gets 2181. In credentials, write '@',
// ':' or '/' inside the user or password as %40, %3A and %2F. The error
// wraps ErrInvalidMaster, says what is wrong, and never quotes a password.
func Parse(s string) (Master, error) {
	fail := func(format string, args ...any) (Master, error) {
		return Master{}, fmt.Errorf("%w %q: %s; %s", ErrInvalidMaster, redactInput(s), fmt.Sprintf(format, args...), expectedForms)
	}
	s = strings.TrimSpace(s)
	scheme, rest, hasScheme := strings.Cut(s, "://")
	if !hasScheme {
		scheme, rest = "http", s
		if strings.ContainsAny(rest, "/@") {
			return fail("a master without a scheme is host:port")
		}
	}
	switch strings.ToLower(scheme) {
	case "http", "https":
		return parseHTTP(strings.ToLower(scheme), rest, hasScheme, fail)
	case "zk":
		return parseZK(rest, fail)
	case "":
		return fail("empty scheme")
	default:
		return fail("unknown scheme %q", scheme)
	}
}

func parseHTTP(scheme, rest string, hasScheme bool, fail func(string, ...any) (Master, error)) (Master, error) {
	if rest == "" {
		return fail("no host")
	}
	if !hasScheme {
		host, err := hostPort(rest, DefaultMasterPort)
		if err != nil {
			return fail("%v", err)
		}
		return Master{Scheme: scheme, Hosts: []string{host}}, nil
	}
	if strings.Contains(rest, "@") {
		// Checked before net/url, whose errors could quote part of them.
		return fail("credentials do not belong in an HTTP master address; pass them as the principal and secret")
	}
	u, err := url.Parse(scheme + "://" + rest)
	if err != nil {
		return fail("%v", unwrapURLError(err))
	}
	switch {
	case u.Path != "" && u.Path != "/":
		return fail("path %q after the host; Mesos serves its API from the root", u.Path)
	case u.RawQuery != "" || u.Fragment != "":
		return fail("query or fragment after the host")
	}
	// An explicit URL means what it means anywhere else on the web.
	defaultPort := 80
	if scheme == "https" {
		defaultPort = 443
	}
	host, err := hostPort(u.Host, defaultPort)
	if err != nil {
		return fail("%v", err)
	}
	return Master{Scheme: scheme, Hosts: []string{host}}, nil
}

func parseZK(rest string, fail func(string, ...any) (Master, error)) (Master, error) {
	var m Master
	m.Scheme = "zk"
	// The credentials end at the last '@' before the path: a host can hold
	// neither '@' nor '/'.
	authority, path, _ := strings.Cut(rest, "/")
	if !strings.Contains(authority, "@") && strings.Contains(path, "@") {
		// Most likely a '/' inside the password cut the authority short;
		// reading on would quote pieces of the password in the error.
		return fail("write '/' inside credentials as %%2F")
	}
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		userinfo := authority[:at]
		authority = authority[at+1:]
		user, pass, ok := strings.Cut(userinfo, ":")
		if !ok {
			return fail("credentials must be user:password")
		}
		var err error
		if m.User, err = url.PathUnescape(user); err != nil {
			return fail("bad escape in the user name")
		}
		if m.Password, err = url.PathUnescape(pass); err != nil {
			return fail("bad escape in the password")
		}
		if m.User == "" {
			return fail("empty user name")
		}
	}
	if authority == "" {
		return fail("no ZooKeeper server")
	}
	for h := range strings.SplitSeq(authority, ",") {
		hp, err := hostPort(h, DefaultZooKeeperPort)
		if err != nil {
			return fail("%v", err)
		}
		m.Hosts = append(m.Hosts, hp)
	}
	path = strings.TrimSuffix(path, "/")
	if path == "" {
		return fail("no ZooKeeper path after the servers (Mesos uses /mesos)")
	}
	if strings.Contains(path, "//") {
		return fail("empty element in the path /%s", path)
	}
	if strings.ContainsAny(path, "?#") {
		return fail("query or fragment after the path")
	}
	m.Path = "/" + path
	return m, nil
}

// hostPort checks one host[:port] and returns it as host:port.
func hostPort(s string, defaultPort int) (string, error) {
	if s == "" {
		return "", fmt.Errorf("empty host")
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		// No port: "host", or a bracketed IPv6 "[::1]".
		host, port = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"), strconv.Itoa(defaultPort)
		if (strings.Contains(host, ":") && !strings.HasPrefix(s, "[")) || strings.ContainsAny(host, "[]") {
			return "", fmt.Errorf("cannot read host and port from %q", s)
		}
	}
	if host == "" {
		return "", fmt.Errorf("empty host in %q", s)
	}
	if strings.ContainsAny(host, " /@,?#") {
		return "", fmt.Errorf("invalid host %q", host)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("invalid port %q", port)
	}
	return net.JoinHostPort(host, strconv.Itoa(n)), nil
}

// IsZooKeeper reports whether m names a ZooKeeper group (zk://) rather than
// one master.
func (m Master) IsZooKeeper() bool { return m.Scheme == "zk" }

// URL returns the base URL of an http or https master, such as
// "http://10.0.0.5:5050", with no trailing slash. For a zk:// master it
// returns "": the leader's address comes from a Detector.
func (m Master) URL() string {
	if m.IsZooKeeper() || len(m.Hosts) == 0 {
		return ""
	}
	return m.Scheme + "://" + m.Hosts[0]
}

// String returns m in the form Parse reads, with the password replaced by
// "xxxxx", so a Master can be printed and logged safely.
func (m Master) String() string {
	if !m.IsZooKeeper() {
		return m.URL()
	}
	var b strings.Builder
	b.WriteString("zk://")
	if m.User != "" {
		b.WriteString(userEscaper.Replace(m.User))
		b.WriteString(":xxxxx@")
	}
	b.WriteString(strings.Join(m.Hosts, ","))
	b.WriteString(m.Path)
	return b.String()
}

// userEscaper escapes what would end a user name early in a zk:// address.
var userEscaper = strings.NewReplacer("%", "%25", "@", "%40", ":", "%3A", "/", "%2F")

// GoString makes %#v as safe as %v: it shows the fields with the password
// redacted.
func (m Master) GoString() string {
	pass := ""
	if m.Password != "" {
		pass = "xxxxx"
	}
	return fmt.Sprintf("leader.Master{Scheme:%q, Hosts:%#v, Path:%q, User:%q, Password:%q}", m.Scheme, m.Hosts, m.Path, m.User, pass)
}

// redactInput hides the credentials' password in an address that could not
// be parsed, so that the address can be quoted in the error. It errs on the
// side of hiding: without a ':' the whole user information goes.
func redactInput(s string) string {
	prefix, rest := "", s
	if scheme, after, ok := strings.Cut(s, "://"); ok {
		prefix, rest = scheme+"://", after
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return s
	}
	if user, _, ok := strings.Cut(rest[:at], ":"); ok {
		return prefix + user + ":xxxxx" + rest[at:]
	}
	return prefix + "xxxxx" + rest[at:]
}

// unwrapURLError drops net/url's "parse <whole input>:" prefix, which
// would repeat the address.
func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
