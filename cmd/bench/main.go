// Command bench measures every performance figure the project promises and
// prints them in one table, with targets and comparison figures measured in
// the same run: the command behind `make bench`. It also writes the table
// as JSON (.build/bench/results.json) so runs can be compared.
//
//	go run ./cmd/bench             # everything (the cold notebook run takes minutes)
//	go run ./cmd/bench -skip cold  # leave out the cold-cache notebook run
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mesosnb/mesosnb/internal/nbexec"
	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesostest"
)

// Row is one line of the table.
type Row struct {
	Name       string  `json:"name"`
	Value      float64 `json:"value"`
	Unit       string  `json:"unit"`
	Target     string  `json:"target,omitempty"`
	Comparison string  `json:"comparison,omitempty"`
	Note       string  `json:"note,omitempty"`
}

func main() {
	skip := flag.String("skip", "", "comma-separated parts to leave out: recordio, latency, load, cold, warm, cells, mesos, framework, workshop")
	only := flag.String("only", "", "comma-separated parts to run, leaving out the others")
	sizes := flag.String("workshop-n", "10,30,60", "workshop: attendees per day against the stand-in")
	realSizes := flag.String("workshop-mesos-n", "10,30", "workshop: attendees per day against real Mesos 1.11 (when installed)")
	setups := flag.String("workshop-setups", "", "workshop: only the setups whose names contain one of these (comma-separated)")
	flag.Parse()
	skipped := map[string]bool{}
	for _, s := range strings.Split(*skip, ",") {
		skipped[strings.TrimSpace(s)] = true
	}
	var rows []Row
	step := func(name string, f func() ([]Row, error)) {
		if skipped[name] || (*only != "" && !slices.Contains(splitList(*only), name)) {
			return
		}
		fmt.Fprintf(os.Stderr, "bench: %s...\n", name)
		r, err := f()
		if err != nil {
			rows = append(rows, Row{Name: name, Note: "failed: " + err.Error()})
			return
		}
		rows = append(rows, r...)
	}
	step("recordio", recordioRows)
	step("latency", latencyRows)
	step("load", loadRows)
	step("cold", func() ([]Row, error) { return notebookRows("cold") })
	step("warm", func() ([]Row, error) { return notebookRows("warm") })
	step("cells", cellCostRows)
	step("mesos", sideBySideRows)
	step("framework", frameworkRows)
	step("workshop", func() ([]Row, error) {
		real := atoiList(*realSizes)
		if _, err := mesostest.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "bench: workshop: no real Mesos (make mesos):", err)
			real = nil
		}
		return workshopRows(atoiList(*sizes), splitList(*setups), real)
	})

	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tVALUE\tUNIT\tTARGET\tCOMPARISON\tNOTE")
	for _, r := range rows {
		v := strconv.FormatFloat(r.Value, 'f', -1, 64)
		if r.Value != 0 {
			v = strconv.FormatFloat(r.Value, 'g', 4, 64)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, v, r.Unit, r.Target, r.Comparison, r.Note)
	}
	w.Flush()
	out := filepath.Join(".build", "bench", "results.json")
	os.MkdirAll(filepath.Dir(out), 0o755)
	b, _ := json.MarshalIndent(map[string]any{"time": time.Now().UTC(), "go": runtime.Version(), "cpus": runtime.NumCPU(), "rows": rows}, "", "  ")
	if err := os.WriteFile(out, append(b, '\n'), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	fmt.Println("\nbench: results in", out)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func atoiList(s string) []int {
	var out []int
	for _, p := range splitList(s) {
		if n, err := strconv.Atoi(p); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

// goBench runs one Go benchmark and returns, per (sub)benchmark name, its
// metrics by unit.
func goBench(pkg, pattern, benchtime string) (map[string]map[string]float64, error) {
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", pattern, "-benchtime", benchtime, "-timeout", "30m", pkg)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go test -bench %s %s: %v\n%s", pattern, pkg, err, tail(out.String()))
	}
	res := map[string]map[string]float64{}
	line := regexp.MustCompile(`^(Benchmark\S+?)(-\d+)?\s+\d+\s+(.*)$`)
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		fields := strings.Fields(m[3])
		metrics := map[string]float64{}
		for i := 0; i+1 < len(fields); i += 2 {
			if v, err := strconv.ParseFloat(fields[i], 64); err == nil {
				metrics[fields[i+1]] = v
			}
		}
		res[m[1]] = metrics
	}
	if len(res) == 0 {
		return nil, fmt.Errorf("no benchmark results from %s %s:\n%s", pkg, pattern, tail(out.String()))
	}
	return res, nil
}

func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-15):], "\n")
}

func recordioRows() ([]Row, error) {
	res, err := goBench("./pkg/recordio", "BenchmarkDecode", "2s")
	if err != nil {
		return nil, err
	}
	ours, naive := res["BenchmarkDecode/recordio"], res["BenchmarkDecode/naive-bufio-strconv"]
	ev, err := goBench("./pkg/mesos", "BenchmarkEventDecode", "2s")
	if err != nil {
		return nil, err
	}
	return []Row{
		{Name: "event JSON decode", Value: ev["BenchmarkEventDecode"]["events/s"], Unit: "events/s", Note: "heartbeats, updates, offers, rescinds"},
		{Name: "recordio decode", Value: ours["MB/s"], Unit: "MB/s", Comparison: fmt.Sprintf("bufio+strconv: %.0f MB/s", naive["MB/s"])},
		{Name: "recordio allocations", Value: ours["allocs/record"], Unit: "allocs/record", Target: "0 per record (buffer reused)", Comparison: fmt.Sprintf("bufio+strconv: %.3g", naive["allocs/record"])},
	}, nil
}

func latencyRows() ([]Row, error) {
	res, err := goBench("./pkg/session", "BenchmarkEventLatency", "1x")
	if err != nil {
		return nil, err
	}
	var m map[string]float64
	for _, v := range res {
		m = v
	}
	return []Row{
		{Name: "event-to-cell latency p50", Value: m["p50-ms"], Unit: "ms", Comparison: "2016 notebook: up to one heartbeat (15 s)"},
		{Name: "event-to-cell latency p99", Value: m["p99-ms"], Unit: "ms", Target: "< 10 ms"},
	}, nil
}

func loadRows() ([]Row, error) {
	res, err := goBench("./pkg/localmesos", "BenchmarkLoad", "1x")
	if err != nil {
		return nil, err
	}
	var names []string
	for k := range res {
		names = append(names, k)
	}
	slices.Sort(names)
	var rows []Row
	for _, name := range names {
		m := res[name]
		label := "localmesos " + strings.TrimPrefix(name, "BenchmarkLoad/")
		main := strings.HasSuffix(name, "frameworks=200,agents=10")
		target := func(t string) string {
			if main {
				return t
			}
			return ""
		}
		units := make([]string, 0, len(m))
		for u := range m {
			if u != "ns/op" {
				units = append(units, u)
			}
		}
		slices.Sort(units)
		for _, u := range units {
			t := ""
			switch {
			case u == "rss-MB":
				t = target("< 150 MB")
			case u == "hb-late-p99-ms":
				t = target("< 100 ms")
			case u == "accept-running-p99-ms":
				t = target("< 50 ms beyond the allocation interval")
			}
			rows = append(rows, Row{Name: label, Value: m[u], Unit: u, Target: t})
		}
	}
	return rows, nil
}

// notebookRows runs Demo-API headless against an in-process stand-in:
// "cold" with an empty Go build cache, "warm" after a run that filled it.
func notebookRows(kind string) ([]Row, error) {
	srv, err := localmesos.New(localmesos.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	dir, err := os.MkdirTemp("", "bench-nb-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	gopath, _ := exec.Command("go", "env", "GOPATH").Output()
	env := []string{"MESOS_MASTER=" + srv.URL, "MESOSNB_SESSION_DIR=" + filepath.Join(dir, "sessions"),
		"PATH=" + os.Getenv("PATH") + ":" + filepath.Join(strings.TrimSpace(string(gopath)), "bin")}
	if kind == "cold" {
		env = append(env, "GOCACHE="+filepath.Join(dir, "gocache"))
	}
	run := func() (*nbexec.Notebook, time.Duration, error) {
		start := time.Now()
		nb, err := nbexec.Run(context.Background(), nbexec.Options{Notebook: "notebooks/Demo-API.ipynb", Output: filepath.Join(dir, "out.ipynb"), Env: env})
		return nb, time.Since(start), err
	}
	if kind == "warm" {
		if _, _, err := run(); err != nil { // fills the caches
			return nil, err
		}
	}
	nb, took, err := run()
	if err != nil {
		return nil, err
	}
	rows := []Row{{Name: "Demo-API headless, " + kind, Value: took.Seconds(), Unit: "s", Note: fmt.Sprintf("%d code cells, nbconvert start to end", len(nb.Code()))}}
	if kind != "warm" {
		return rows, nil
	}
	rows[0].Target = "< 20 s"
	// nbconvert keeps cell times to the second; time each cell through the
	// kernel protocol instead, in a second warm run.
	cells, err := timeCells(env)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(cells, func(a, b cellTime) int { return int((a.Seconds - b.Seconds) * 1e6) })
	median, slowest := cells[len(cells)/2], cells[len(cells)-1]
	return append(rows,
		Row{Name: "Demo-API median cell, warm", Value: median.Seconds, Unit: "s", Target: "< 0.6 s", Note: "timed through the kernel protocol"},
		Row{Name: "Demo-API slowest cell, warm", Value: slowest.Seconds, Unit: "s", Note: fmt.Sprintf("cell %d: %s", slowest.Index, slowest.First)}), nil
}

type cellTime struct {
	Index   int
	Seconds float64
	First   string
}

// timeCells runs Demo-API's code cells one by one in a GoNB kernel driven
// over the Jupyter protocol (nbexec.Kernel) and times each from request
// to idle.
func timeCells(env []string) ([]cellTime, error) {
	nb, err := nbexec.Read("notebooks/Demo-API.ipynb")
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	k, err := nbexec.StartKernel(ctx, nbexec.KernelOptions{Dir: "notebooks", Env: env})
	if err != nil {
		return nil, fmt.Errorf("time Demo-API's cells: %w", err)
	}
	defer k.Close()
	var cells []cellTime
	for _, c := range nb.Code() {
		ran, err := k.Execute(ctx, c.Source)
		if err != nil || ran.Failed() {
			return nil, fmt.Errorf("time Demo-API's cells: cell %d failed: %v %s", c.Index, err, ran.ErrorText())
		}
		first, _, _ := strings.Cut(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(c.Source), "%%")), "\n")
		cells = append(cells, cellTime{Index: c.Index, Seconds: ran.Duration().Seconds(), First: first[:min(60, len(first))]})
	}
	return cells, nil
}

// cellCostRows times GoNB cells in a kernel driven over the Jupyter
// protocol: one that imports nothing, one that imports the project's
// session package; the difference is what the package costs each cell.
func cellCostRows() ([]Row, error) {
	ctx := context.Background()
	k, err := nbexec.StartKernel(ctx, nbexec.KernelOptions{Dir: "notebooks"})
	if err != nil {
		return nil, fmt.Errorf("time GoNB cells: %w", err)
	}
	defer k.Close()
	run := func(code string) (float64, error) {
		c, err := k.Execute(ctx, code)
		if err == nil && c.Failed() {
			err = fmt.Errorf("cell %q failed: %s", code, c.ErrorText())
		}
		return c.Duration().Seconds(), err
	}
	times := func(format string) ([]float64, error) {
		var ts []float64
		for i := range 7 {
			d, err := run(fmt.Sprintf(format, i))
			if err != nil {
				return nil, err
			}
			ts = append(ts, d)
		}
		return ts, nil
	}
	for _, warm := range []string{"%noautoget\n%goflags -ldflags=-s\n!*bash \"$GONB_DIR/setup.sh\"", "%%\nfmt.Println(0)"} {
		if _, err := run(warm); err != nil {
			return nil, err
		}
	}
	plain, err := times("%%%%\nfmt.Println(%d)")
	if err != nil {
		return nil, err
	}
	if _, err := run("import \"github.com/mesosnb/mesosnb/pkg/session\"\n%%\nfmt.Println(session.Identity())"); err != nil {
		return nil, err
	}
	sess, err := times("%%%%\nfmt.Println(session.Identity(), %d)")
	if err != nil {
		return nil, err
	}
	med := func(v []float64) float64 { slices.Sort(v); return v[len(v)/2] }
	p, q := med(plain), med(sess)
	return []Row{
		{Name: "GoNB cell, imports nothing", Value: p, Unit: "s", Note: fmt.Sprintf("median of %d", len(plain))},
		{Name: "GoNB cell, imports pkg/session", Value: q, Unit: "s", Comparison: fmt.Sprintf("+%.2f s per cell", q-p), Note: fmt.Sprintf("median of %d", len(sess))},
	}, nil
}
