package localmesos

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mesosnb/mesosnb/pkg/leader"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// Server is a running stand-in: a master and its agents, each on its own
// HTTP listener. Start one with New; stop it with Close.
type Server struct {
	// URL is the master's base URL, such as http://127.0.0.1:5050 (no
	// trailing slash).
	URL string
	// AgentURLs are the agents' base URLs.
	AgentURLs []string

	cfg     Config
	master  *master
	agents  []*agent
	logFile *logFile
	files   *files // the master's: /master/log
	servers []*http.Server
	done    chan struct{}
	tmpDir  string

	zkCancel   context.CancelFunc
	membership *leader.Membership
	detector   *leader.Detector

	closeOnce sync.Once
	wg        sync.WaitGroup
}

// New starts a stand-in cluster and returns once it answers: listeners
// bound, agents registered, and (with ZK) its ZooKeeper node created.
func New(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	resources, err := parseResources(cfg.Resources)
	if err != nil {
		return nil, fmt.Errorf("--resources: %w", err)
	}
	resources = withDefaultResources(resources)
	attributes, err := parseAttributes(cfg.Attributes)
	if err != nil {
		return nil, fmt.Errorf("--attributes: %w", err)
	}
	runner, err := NewRunner(cfg.Runner)
	if err != nil {
		return nil, fmt.Errorf("--runner: %w", err)
	}
	s := &Server{cfg: cfg, done: make(chan struct{})}
	if s.cfg.WorkDir == "" {
		dir, err := os.MkdirTemp("", "localmesos-")
		if err != nil {
			return nil, fmt.Errorf("create work dir: %w", err)
		}
		s.tmpDir, s.cfg.WorkDir = dir, dir
	}
	if s.logFile, err = openLogFile(s.cfg.WorkDir); err != nil {
		s.cleanup()
		return nil, fmt.Errorf("open the log file: %w", err)
	}
	s.cfg.Logger = slog.New(teeHandler{s.cfg.Logger.Handler(), slog.NewTextHandler(s.logFile, nil)})
	s.files = newFiles()
	if err := s.files.attach(s.logFile.path, "/master/log"); err != nil {
		s.cleanup()
		return nil, err
	}

	mln, info, err := s.listenMaster()
	if err != nil {
		s.cleanup()
		return nil, err
	}
	listeners, err := s.addAgents(info.ID, resources, attributes, runner)
	if err != nil {
		mln.Close()
		s.cleanup()
		return nil, err
	}

	s.master.nextAgent = len(s.master.agents)
	s.serve(mln, s.masterHandler())
	for i, ln := range listeners {
		s.serve(ln, s.agentHandler(s.agents[i]))
	}
	if cfg.ZK != "" {
		if err := s.joinZK(info); err != nil {
			s.Close()
			return nil, err
		}
	} else {
		s.master.mu.Lock()
		s.master.lead.Store(&leadership{leading: true})
		s.master.elected = time.Now()
		s.master.mu.Unlock()
	}
	for _, a := range s.master.agents {
		s.master.opEvent(mesos.OperatorEvent{Type: mesos.AgentAdded, AgentAdded: &mesos.AgentAddedEvent{Agent: s.master.agentState(a)}})
	}
	s.wg.Go(func() { s.master.run(s.done) })
	s.cfg.Logger.Info("localmesos started", "master", s.URL, "agents", s.AgentURLs, "runner", runner.Name(), "note", StandIn)
	return s, nil
}

// listenMaster binds the master's address and makes the master, with the
// MasterInfo it announces (and writes to ZooKeeper).
func (s *Server) listenMaster() (net.Listener, mesos.MasterInfo, error) {
	cfg := s.cfg
	mln, err := net.Listen("tcp", cfg.MasterAddr)
	if err != nil {
		return nil, mesos.MasterInfo{}, fmt.Errorf("master: listen on %s: %w", cfg.MasterAddr, err)
	}
	mhost, mportStr, _ := net.SplitHostPort(mln.Addr().String())
	mport, _ := strconv.Atoi(mportStr)
	hostname := cfg.Hostname
	if hostname == "" {
		hostname = mhost
	}
	id := uuidString(newUUID())
	ip := resolveIP(hostname, mhost)
	info := mesos.MasterInfo{
		ID: id, IP: mesos.PackIP(ip), Port: uint32(mport), PID: fmt.Sprintf("master@%s:%d", ip, mport),
		Hostname: hostname, Version: Version, Address: &mesos.Address{Hostname: hostname, IP: ip, Port: int32(mport)},
		Capabilities: []mesos.MasterCapability{{Type: "AGENT_UPDATE"}, {Type: "AGENT_DRAINING"}, {}},
	}
	s.master = newMaster(s.cfg, id, info)
	s.URL = "http://" + net.JoinHostPort(hostname, mportStr)
	return mln, info, nil
}

// addAgents binds each agent's address and registers the agent with the
// master; their ports ranges are shifted so that they never clash.
func (s *Server) addAgents(masterID string, resources mesos.Resources, attributes []mesos.Attribute, runner Runner) ([]net.Listener, error) {
	cfg := s.cfg
	var listeners []net.Listener
	for i, addr := range cfg.AgentAddrs {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			for _, l := range listeners {
				l.Close()
			}
			return nil, fmt.Errorf("agent %d: listen on %s: %w", i, addr, err)
		}
		listeners = append(listeners, ln)
		ahost, aportStr, _ := net.SplitHostPort(ln.Addr().String())
		aport, _ := strconv.Atoi(aportStr)
		ahostname := cfg.Hostname
		if ahostname == "" {
			ahostname = ahost
		}
		rec := &agentRec{
			id: fmt.Sprintf("%s-S%d", masterID, i), hostname: ahostname, port: aport, attributes: attributes,
			total: poolOf(shiftPorts(resources, i)), offered: newPool(), used: newPool(), registered: time.Now(),
		}
		a := newAgent(rec, s.master, runner, s.cfg.WorkDir, s.cfg.Logger)
		if err := a.files.attach(s.logFile.path, "/slave/log"); err != nil {
			for _, l := range listeners {
				l.Close()
			}
			return nil, err
		}
		s.agents = append(s.agents, a)
		s.master.agents = append(s.master.agents, rec)
		s.AgentURLs = append(s.AgentURLs, "http://"+net.JoinHostPort(ahostname, aportStr))
	}
	return listeners, nil
}

// shiftPorts moves the ports ranges of the i-th agent past those of the
// agents before it, so that agents sharing one host never hand out the
// same host port.
func shiftPorts(rs mesos.Resources, i int) mesos.Resources {
	if i == 0 {
		return rs
	}
	out := make(mesos.Resources, len(rs))
	for j, r := range rs {
		if r.Ranges != nil && r.Name == "ports" {
			size := r.Ranges.Size()
			shifted := mesos.RangesValue{}
			for _, x := range r.Ranges.Range {
				shifted.Range = append(shifted.Range, mesos.Range{Begin: x.Begin + uint64(i)*size, End: x.End + uint64(i)*size})
			}
			r.Ranges = &shifted
		}
		out[j] = r
	}
	return out
}

func resolveIP(hostname, fallback string) string {
	if ip := net.ParseIP(hostname); ip != nil {
		return ip.String()
	}
	if addrs, err := net.LookupHost(hostname); err == nil && len(addrs) > 0 {
		return addrs[0]
	}
	return fallback
}

func (s *Server) serve(ln net.Listener, h http.Handler) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	s.servers = append(s.servers, srv)
	s.wg.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.cfg.Logger.Error("http server stopped", "addr", ln.Addr().String(), "err", err)
		}
	})
}

// joinZK registers the master in ZooKeeper and follows who leads.
func (s *Server) joinZK(info mesos.MasterInfo) error {
	zm, err := leader.Parse(s.cfg.ZK)
	if err != nil {
		return fmt.Errorf("--zk: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.zkCancel = cancel
	zkInfo := info
	// ZooKeeper holds the internal MasterInfo, which names QUOTA_V2.
	zkInfo.Capabilities = []mesos.MasterCapability{{Type: "AGENT_UPDATE"}, {Type: "AGENT_DRAINING"}, {Type: "QUOTA_V2"}}
	startCtx, stop := context.WithTimeout(ctx, 15*time.Second)
	defer stop()
	mem, err := leader.Register(startCtx, zm, zkInfo, &leader.Config{Logger: s.cfg.Logger})
	if err != nil {
		return fmt.Errorf("register in ZooKeeper %s: %w", zm, err)
	}
	det, err := leader.Connect(startCtx, zm, &leader.Config{Logger: s.cfg.Logger})
	if err != nil {
		mem.Close()
		return fmt.Errorf("watch ZooKeeper %s: %w", zm, err)
	}
	s.membership, s.detector = mem, det
	s.wg.Go(func() { s.followLeader(ctx, zm, zkInfo) })
	// Wait until the first answer so the caller knows whether it leads.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if l := s.master.leadership(); l.leading || l.leader != nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// followLeader keeps m.lead up to date. A master that loses its ZooKeeper
// session registers again (a real one aborts and is restarted by its
// supervisor, which comes to the same).
func (s *Server) followLeader(ctx context.Context, zm leader.Master, info mesos.MasterInfo) {
	m := s.master
	go func() {
		for {
			mem := s.currentMembership()
			select {
			case <-ctx.Done():
				return
			case <-mem.Done():
			}
			s.cfg.Logger.Warn("ZooKeeper session expired; registering again")
			for ctx.Err() == nil {
				rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				nm, err := leader.Register(rctx, zm, info, &leader.Config{Logger: s.cfg.Logger})
				cancel()
				if err == nil {
					m.mu.Lock()
					s.membership = nm
					m.mu.Unlock()
					break
				}
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
			}
		}
	}()
	for li, err := range s.detector.Watch(ctx) {
		m.mu.Lock()
		wasLeading := m.leadership().leading
		var now leadership
		switch {
		case err != nil:
		case li.ID == m.id:
			now.leading = true
			if !wasLeading {
				m.elected = time.Now()
				s.cfg.Logger.Info("elected leader")
			}
		default:
			now.leader = &li
		}
		m.lead.Store(&now)
		if wasLeading && !now.leading {
			s.cfg.Logger.Warn("lost leadership; closing framework streams")
			m.abdicate()
		}
		m.mu.Unlock()
		if now.leading && !wasLeading {
			m.allocateSoon()
		}
	}
}

func (s *Server) currentMembership() *leader.Membership {
	s.master.mu.Lock()
	defer s.master.mu.Unlock()
	return s.membership
}

// abdicate ends every stream and withdraws every offer, as a Mesos master
// that lost leadership does by exiting. Called with m.mu held.
func (m *master) abdicate() {
	for _, o := range m.offers {
		m.removeOffer(o)
	}
	for _, fw := range m.frameworks {
		if fw.sub != nil {
			fw.sub.end("master lost leadership")
		}
	}
	for s := range m.opSubs {
		s.end()
	}
}

// Close stops the stand-in: streams end, tasks are killed, the ZooKeeper
// node is removed and the listeners close. It waits for all of that.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		close(s.done)
		if s.zkCancel != nil {
			s.zkCancel()
		}
		if mem := s.currentMembership(); mem != nil {
			mem.Close()
		}
		if s.detector != nil {
			s.detector.Close()
		}
		s.master.mu.Lock()
		s.master.closed = true
		s.master.abdicate()
		s.master.mu.Unlock()
		for _, a := range s.agents {
			a.shutdown(2 * time.Second)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, srv := range s.servers {
			srv.Shutdown(ctx)
		}
		s.wg.Wait()
		s.cleanup()
	})
	return nil
}

func (s *Server) cleanup() {
	if s.logFile != nil {
		s.logFile.Close()
	}
	if s.tmpDir != "" {
		os.RemoveAll(s.tmpDir)
	}
}

// Leading reports whether this master leads (always, without ZooKeeper).
func (s *Server) Leading() bool { return s.master.leadership().leading }

// ID is the master's id, the prefix of every framework, agent and offer id
// it hands out.
func (s *Server) ID() string { return s.master.id }

// authenticate checks HTTP basic auth when credentials are configured.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, realm string) bool {
	if s.cfg.Credentials == nil {
		return true
	}
	p, secret, ok := r.BasicAuth()
	want, known := s.cfg.Credentials[p]
	if ok && known && subtle.ConstantTimeCompare([]byte(secret), []byte(want)) == 1 {
		return true
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="`+realm+`"`)
	plain(w, http.StatusUnauthorized, textUnauthorized)
	return false
}

// leaderOnly answers for endpoints only the leader serves: a 307 to the
// leader (Location: //host:port/path, protocol-relative as in Mesos) or
// 503 while no leader is known.
func (s *Server) leaderOnly(w http.ResponseWriter, r *http.Request) bool {
	l := s.master.leadership()
	if l.leading {
		return true
	}
	li := l.leader
	if li == nil {
		plain(w, http.StatusServiceUnavailable, textNoLeader)
		return false
	}
	loc := "//" + net.JoinHostPort(li.Hostname, strconv.Itoa(int(li.Port))) + r.URL.Path
	if r.URL.RawQuery != "" {
		loc += "?" + r.URL.RawQuery
	}
	w.Header().Set("Location", loc)
	w.WriteHeader(http.StatusTemporaryRedirect)
	return false
}

// masterHandler routes the master's endpoints the way libprocess does:
// /x is also served as /master/x, and unknown paths answer 404.
func (s *Server) masterHandler() http.Handler {
	routes := map[string]http.HandlerFunc{
		"/api/v1/scheduler": s.scheduler,
		"/api/v1":           s.operator,
		"/state":            s.state,
		"/slaves":           s.readOnly(func(m *master, r *http.Request) any { return m.slavesEndpoint(r.URL.Query().Get("slave_id")) }),
		"/frameworks":       s.readOnly(func(m *master, r *http.Request) any { return m.frameworksEndpoint(r.URL.Query().Get("framework_id")) }),
		"/health":           func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) },
		"/version":          writeVersion,
		"/redirect":         s.redirect,
		"/metrics/snapshot": s.masterSnapshot,
		"":                  s.servePage, // GET /: the stand-in's page (webui.go)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if endpoint, ok := strings.CutPrefix(r.URL.Path, "/files/"); ok {
			s.files.serve(w, r, endpoint)
			return
		}
		path := strings.TrimSuffix(r.URL.Path, "/")
		path = strings.TrimPrefix(path, "/master")
		if h, ok := routes[path]; ok {
			h(w, r)
			return
		}
		if strings.HasPrefix(path, "/state/") {
			s.state(w, r) // libprocess serves the longest matching prefix
			return
		}
		plain(w, http.StatusNotFound, textNotFound)
	})
}

func (s *Server) state(w http.ResponseWriter, r *http.Request) {
	if !s.leaderOnly(w, r) {
		return
	}
	m := s.master
	m.mu.Lock()
	st := m.masterState(s.masterFlags())
	st.LogDir = filepath.Dir(s.logFile.path) // where /master/log is
	m.mu.Unlock()
	writeJSON(w, r, eventJSON(st))
}

// readOnly serves one of the master's read endpoints besides /state:
// from the leader only, JSON (or JSONP).
func (s *Server) readOnly(answer func(*master, *http.Request) any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.leaderOnly(w, r) {
			return
		}
		m := s.master
		m.mu.Lock()
		v := answer(m, r)
		m.mu.Unlock()
		writeJSON(w, r, eventJSON(v))
	}
}

// writeJSON answers with a JSON document as libprocess' JSON endpoints do:
// application/json, or with ?jsonp=cb the text/javascript cb(<json>).
func writeJSON(w http.ResponseWriter, r *http.Request, body []byte) {
	if cb := r.URL.Query().Get("jsonp"); cb != "" {
		w.Header().Set("Content-Type", "text/javascript")
		w.Write([]byte(cb + "("))
		w.Write(body)
		w.Write([]byte(")"))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

func (s *Server) masterFlags() map[string]string {
	f := map[string]string{
		"allocation_interval":                   mesosDuration(s.cfg.AllocationInterval),
		"hostname":                              s.master.info.Hostname,
		"ip":                                    s.master.info.Address.IP,
		"port":                                  strconv.Itoa(int(s.master.info.Port)),
		"authenticate_http_frameworks":          strconv.FormatBool(s.cfg.Credentials != nil),
		"max_completed_frameworks":              strconv.Itoa(maxCompletedFrameworks),
		"max_completed_tasks_per_framework":     strconv.Itoa(maxCompletedTasks),
		"max_operator_event_stream_subscribers": strconv.Itoa(s.cfg.MaxOperatorSubscribers),
		"registry":                              "in_memory",
		"work_dir":                              s.cfg.WorkDir,
		"log_dir":                               s.cfg.WorkDir,
		"logging_level":                         "INFO",
		"stand_in":                              StandIn,
	}
	if s.cfg.ZK != "" {
		if zm, err := leader.Parse(s.cfg.ZK); err == nil {
			f["zk"] = zm.String()
		}
	}
	if s.cfg.OfferTimeout > 0 {
		f["offer_timeout"] = mesosDuration(s.cfg.OfferTimeout)
	}
	return f
}

// redirect is /redirect: a 307 to the leader, itself included, without the
// path; 503 with no leader; 404 for anything below it.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request) {
	if strings.Trim(strings.TrimPrefix(r.URL.Path, "/master"), "/") != "redirect" {
		plain(w, http.StatusNotFound, textNotFound)
		return
	}
	m := s.master
	l := m.leadership()
	li := l.leader
	if l.leading {
		info := m.info // immutable: no lock needed
		li = &info
	}
	if li == nil {
		plain(w, http.StatusServiceUnavailable, textNoLeader)
		return
	}
	w.Header().Set("Location", "//"+net.JoinHostPort(li.Hostname, strconv.Itoa(int(li.Port))))
	w.WriteHeader(http.StatusTemporaryRedirect)
}

// agentHandler routes an agent's endpoints: /state (also /slave(1)/state),
// /health, /version.
func (s *Server) agentHandler(a *agent) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The agent's files and operator API (agent_api.go).
		if s.serveAgentAPI(a, w, r) {
			return
		}
		path := strings.TrimSuffix(r.URL.Path, "/")
		path = strings.TrimPrefix(path, "/slave(1)")
		switch path {
		case "/state":
			writeJSON(w, r, eventJSON(s.slaveState(a)))
		case "/health":
			w.WriteHeader(http.StatusOK)
		case "/version":
			writeVersion(w, r)
		case "/api/v1/executor":
			s.executorAPI(a, w, r) // api_executor.go
		default:
			plain(w, http.StatusNotFound, textNotFound)
		}
	})
}
