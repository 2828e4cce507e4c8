package localmesos_test

// The differential test: the same scripted call sequences run against a
// real Mesos 1.11.0 master and agent (pkg/mesostest) and against the
// stand-in, and their answers are compared: status codes, Content-Type,
// error texts, event types and their order, the state, reason, source and
// message of status updates, and the key sets of every JSON answer and
// event. Ids, timestamps and measured values are not compared: each run
// turns its own ids back into placeholders ({s.fw}, {s.offer}...).
//
// Every difference is either fixed in the stand-in or listed in
// localmesos.Differences (differences.go), which doc.go's "What is not"
// and the README's "What it does not do" are checked against.
//
// The sequences live in differential_*_test.go files (scheduler, operator
// and read endpoints, master operator calls, calls that change the cluster,
// the agent's API and files); each adds its own with register. Most share
// one real cluster; those that change it for good or depend on its history
// run fresh, on a real master and agent of their own, side by side. The
// steps are in diffsteps_test.go and diffsteps_operator_test.go. The test
// prints how many sequences match exactly and writes every transcript
// that does not to its artifact differential.txt.

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesostest"
)

// sequence is one script of steps, run from scratch on each side: a new
// stand-in, and on the shared real cluster new frameworks (torn down at
// the end).
type sequence struct {
	name  string
	steps []step
	// docker marks a sequence that needs the Docker containerizer (and
	// the demo image) on both sides.
	docker bool
	// quiet marks a sequence whose answers depend on what the master has
	// seen before (GET_STATE lists completed frameworks): it runs before
	// the others, on a real master with no history, as the stand-in's
	// is. Of the quiet ones, those that subscribe run last.
	quiet bool
	// fresh runs the sequence on a real master and agent of its own,
	// started for it (a second or two): for what changes the cluster for
	// good (maintenance, an agent marked gone) or depends on its history.
	fresh bool
}

// runOrder is the sequences in the order they run: quiet ones first.
func runOrder() []sequence {
	rank := func(s sequence) int {
		switch {
		case !s.quiet:
			return 2
		case slices.ContainsFunc(s.steps, func(st step) bool { return strings.HasPrefix(st.label, "subscribe ") }):
			return 1
		}
		return 0
	}
	out := slices.Clone(sequences)
	slices.SortStableFunc(out, func(a, b sequence) int { return rank(a) - rank(b) })
	return out
}

// sequences are every registered sequence, in registration order.
var sequences []sequence

// register adds sequences under a group name (the API they exercise),
// which prefixes their names: "scheduler/NoContentType".
func register(group string, seqs ...sequence) bool {
	for _, s := range seqs {
		s.name = group + "/" + s.name
		sequences = append(sequences, s)
	}
	return true
}

// diffResources are an agent's resources with 100 free ports.
func diffResources(t *testing.T) (string, string) {
	first, err := testenv.FreePortRange(100)
	if err != nil {
		t.Fatal(err)
	}
	ports := fmt.Sprintf("%d-%d", first, first+99)
	return "cpus:4;mem:4096;disk:10240;ports:[" + ports + "]", ports
}

// startReal starts a real master and agent for the test, stopped when it
// ends, and returns them with the agent's ports range. Each gets a
// --log_dir, as packaged installs do, so that /master/log and /slave/log
// exist as the stand-in's do.
func startReal(t *testing.T, docker mesostest.DockerMode) (*mesostest.Cluster, string) {
	resources, ports := diffResources(t)
	logs := t.TempDir()
	c := mesostest.Start(t, mesostest.Options{
		Resources: resources, Docker: docker,
		MasterFlags: []string{"--log_dir=" + filepath.Join(logs, "master")},
		AgentFlags:  []string{"--log_dir=" + filepath.Join(logs, "agent")},
	})
	return c, ports
}

// freshSide is a real master and agent of a sequence's own.
func freshSide(t *testing.T, seq sequence) *side {
	docker := mesostest.DockerOff
	if seq.docker {
		docker = mesostest.DockerRequired
	}
	c, ports := startReal(t, docker)
	return &side{name: "mesos", url: c.URL(), agent: c.Agents[0].URL, ports: ports}
}

// diff is one difference between the two transcripts of a sequence.
type diff string

func TestDifferential(t *testing.T) {
	t.Parallel()
	// The real master and agent every sequence but the fresh ones shares,
	// started for this run and stopped at its end: a second run (go test
	// -count=2) must not meet the first one's frameworks.
	real, realPorts := startReal(t, mesostest.DockerAuto)
	var docker bool
	if real.Docker {
		mesostest.NeedDemoImage(t)
		docker = true
	}

	// A run is one sequence played on both sides.
	type run struct {
		seq  sequence
		got  [2]transcript
		took time.Duration
		ok   bool // played to the end without failing
	}
	play := func(t *testing.T, r *run) {
		began := time.Now()
		mesos := &side{name: "mesos", url: real.URL(), agent: real.Agents[0].URL, ports: realPorts}
		if r.seq.fresh {
			mesos = freshSide(t, r.seq)
		}
		var wg sync.WaitGroup
		wg.Go(func() { r.got[0] = runOn(t, r.seq, mesos) })
		wg.Go(func() {
			resources, ports := diffResources(t)
			srv, err := localmesos.New(localmesos.Config{Resources: resources, Runner: localmesos.RunnerAuto})
			if err != nil {
				r.got[1] = transcript{{step: "start", aspect: "error", value: err.Error()}}
				return
			}
			defer srv.Close()
			r.got[1] = runOn(t, r.seq, &side{name: "localmesos", url: srv.URL, agent: srv.AgentURLs[0], ports: ports})
		})
		wg.Wait()
		r.took, r.ok = time.Since(began), !t.Failed()
	}
	var runs, fresh []*run
	for _, seq := range runOrder() {
		if seq.docker && !docker {
			t.Errorf("%s needs the Docker containerizer, which the real agent does not have (no Docker engine)", seq.name)
			continue
		}
		r := &run{seq: seq}
		runs = append(runs, r)
		if seq.fresh {
			fresh = append(fresh, r)
			continue
		}
		t.Run(seq.name, func(t *testing.T) { play(t, r) })
	}
	// The sequences on clusters of their own run side by side (as many at
	// once as go test's -parallel allows), under "fresh":
	// -run 'TestDifferential/fresh/operator/drain'.
	t.Run("fresh", func(t *testing.T) {
		for _, r := range fresh {
			t.Run(r.seq.name, func(t *testing.T) {
				t.Parallel()
				play(t, r)
			})
		}
	})

	var (
		done, exact, allowed int
		report               strings.Builder
		unexplained          []diff
		seen                 = map[string]bool{} // Difference IDs seen
	)
	for _, r := range runs {
		if !r.ok {
			continue // failed, or left out by -run
		}
		done++
		seq, got := r.seq, r.got
		diffs := compare(seq.name, got[0], got[1])
		fmt.Fprintf(&report, "== %s: %d differences (%v)\n", seq.name, len(diffs), r.took.Round(time.Millisecond))
		if len(diffs) == 0 {
			exact++
		} else {
			for i, tr := range got {
				fmt.Fprintf(&report, "   -- %s saw:\n", []string{"mesos", "localmesos"}[i])
				for _, o := range tr {
					fmt.Fprintf(&report, "      %s %s: %.300s\n", o.step, o.aspect, o.value)
				}
			}
		}
		for _, d := range diffs {
			ids := localmesos.ExplainDifference(string(d))
			if len(ids) == 0 {
				unexplained = append(unexplained, d)
				fmt.Fprintf(&report, "   UNEXPLAINED %s\n", d)
				continue
			}
			allowed++
			for _, id := range ids {
				seen[id] = true
			}
			fmt.Fprintf(&report, "   allowed (%s) %s\n", strings.Join(ids, ", "), d)
		}
	}
	summary := fmt.Sprintf("differential: %d of %d sequences match real Mesos 1.11.0 exactly; %d differences allowed, %d unexplained",
		exact, done, allowed, len(unexplained))
	t.Log(summary)
	writeArtifact(t, "differential.txt", summary+"\n\n"+report.String())
	for _, d := range unexplained {
		t.Errorf("not in localmesos.Differences: %s", d)
	}
	for _, d := range localmesos.Differences {
		if done == len(sequences) && len(d.Shows) > 0 && !seen[d.ID] {
			t.Errorf("localmesos.Differences[%s] shows in no sequence any more: fixed? remove it (and its lines in doc.go and README.md)", d.ID)
		}
	}
}

// writeArtifact saves text in the test's artifact folder (kept with go
// test -artifacts, as make test runs it).
func writeArtifact(t *testing.T, name, text string) {
	if err := os.WriteFile(filepath.Join(t.ArtifactDir(), name), []byte(text), 0o644); err != nil {
		t.Log(err)
	}
}

// observation is one compared fact of a step: its answer's status, a
// header, a text, an event's type, a key set...
type observation struct {
	step, aspect, value string
}

type transcript []observation

// compare lists the differences of two transcripts of one sequence, the
// real one first. Key sets differ key by key, so that each missing or
// extra key is one difference.
func compare(seq string, real, local transcript) []diff {
	type key struct{ step, aspect string }
	index := func(tr transcript) (map[key]string, []key) {
		m := map[key]string{}
		var order []key
		for _, o := range tr {
			k := key{o.step, o.aspect}
			if _, dup := m[k]; !dup {
				order = append(order, k)
			}
			m[k] = o.value
		}
		return m, order
	}
	rm, order := index(real)
	lm, lorder := index(local)
	for _, k := range lorder {
		if _, ok := rm[k]; !ok {
			order = append(order, k)
		}
	}
	var out []diff
	for _, k := range order {
		r, inR := rm[k]
		l, inL := lm[k]
		where := fmt.Sprintf("%s/%s %s", seq, k.step, k.aspect)
		switch {
		case !inR:
			out = append(out, diff(fmt.Sprintf("%s: only localmesos: %s", where, l)))
		case !inL:
			out = append(out, diff(fmt.Sprintf("%s: only mesos: %s", where, r)))
		case r == l:
		case k.aspect == "keys" || strings.HasSuffix(k.aspect, " keys"):
			rs, ls := strings.Split(r, " "), strings.Split(l, " ")
			for _, p := range rs {
				if p != "" && !slices.Contains(ls, p) {
					out = append(out, diff(fmt.Sprintf("%s: only mesos has %s", where, p)))
				}
			}
			for _, p := range ls {
				if p != "" && !slices.Contains(rs, p) {
					out = append(out, diff(fmt.Sprintf("%s: only localmesos has %s", where, p)))
				}
			}
		default:
			out = append(out, diff(fmt.Sprintf("%s: mesos %q, localmesos %q", where, r, l)))
		}
	}
	return out
}

// keySet lists the paths of every key in a JSON value, sorted: objects
// by key, arrays as [] with the union of their elements' keys.
func keySet(v any) string {
	set := map[string]bool{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, el := range x {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				set[p] = true
				walk(p, el)
			}
		case []any:
			for _, el := range x {
				walk(prefix+"[]", el)
			}
		}
	}
	walk("", v)
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, " ")
}

// TestDifferencesInDocs: the stand-in says what it does not do in two
// places, and both say what the allow-list says: doc.go's "What is not"
// has one bullet per difference, each difference's Doc text among them;
// the README's "What it does not do" paragraph has each README phrase.
func TestDifferencesInDocs(t *testing.T) {
	t.Parallel()
	doc := readText(t, "doc.go")
	section := between(t, doc, "// # What is not\n", "\npackage localmesos")
	section = regexp.MustCompile(`(?m)^//[ \t]?`).ReplaceAllString(section, "")
	bullets := regexp.MustCompile(`(?m)^  - `).FindAllStringIndex(section, -1)
	flat := collapse(section)
	readme := collapse(between(t, readText(t, "../../README.md"), "**What it does not do.**", "\n\n"))
	for _, d := range localmesos.Differences {
		if d.ID == "" || d.What == "" || d.Why == "" {
			t.Errorf("difference %+v: ID, What and Why must be set", d)
		}
		if len(d.Shows) == 0 && d.Untested == "" {
			t.Errorf("difference %s: no Shows pattern and no Untested reason", d.ID)
		}
		if d.Doc != "" && !strings.Contains(flat, collapse(d.Doc)) {
			t.Errorf("doc.go's \"What is not\" does not say (difference %s): %s", d.ID, d.Doc)
		}
		if d.README != "" && !strings.Contains(readme, collapse(d.README)) {
			t.Errorf("README.md's \"What it does not do\" does not say (difference %s): %s", d.ID, d.README)
		}
	}
	docs := 0
	for _, d := range localmesos.Differences {
		if d.Doc != "" {
			docs++
		}
	}
	if len(bullets) != docs {
		t.Errorf("doc.go's \"What is not\" has %d bullets, localmesos.Differences %d Doc texts: one bullet per difference", len(bullets), docs)
	}
}

func readText(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func between(t *testing.T, s, from, to string) string {
	t.Helper()
	i := strings.Index(s, from)
	if i < 0 {
		t.Fatalf("no %q", from)
	}
	s = s[i+len(from):]
	if j := strings.Index(s, to); j >= 0 {
		s = s[:j]
	}
	return s
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// eventTimeout bounds each wait for an event: a Docker task's first
// update on a loaded machine can take seconds.
const eventTimeout = 20 * time.Second
