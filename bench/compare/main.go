// Command compare floods a local Mosquitto with N DRIVR-like messages and
// times, side by side and alternating in one session, how long each
// subscriber takes to receive them all: mosquitto_sub (the practical
// ceiling), a Node peer on the npm mqtt package (when installed under
// bench/node_modules), `mqdeck log -n N`, and mqdeck's console in a 120x40
// tmux pane until it has applied N messages. It prints every run, the
// medians and each median's ratio to mosquitto_sub.
//
//	go run ./bench/compare -n 200000 -rounds 5
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/bench/benchkit"
	"github.com/mqdeck/mqdeck/mqttconn/sim"
)

type options struct {
	n, rounds, size, topics, pubConns int
	only                              string
	mqdeck, console, consoles         string
	timeout                           time.Duration
	keep                              bool
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 200000, "messages per run")
	flag.IntVar(&o.rounds, "rounds", 5, "rounds (each runs every subscriber once, in rotating order)")
	flag.IntVar(&o.size, "size", 280, "JSON payloads padded to this many bytes")
	flag.IntVar(&o.topics, "topics", 1000, "systems the flood spreads over")
	flag.IntVar(&o.pubConns, "pub-conns", 2, "publisher connections")
	flag.StringVar(&o.only, "only", "", "comma-separated subset: mosquitto_sub,node,log,console")
	flag.StringVar(&o.mqdeck, "mqdeck", "", "mqdeck binary (default: built from this tree)")
	flag.StringVar(&o.console, "console", "", "console command taking the connection flags and --exit-after (default: the mqdeck binary; \"bench\": bench/console)")
	flag.StringVar(&o.consoles, "consoles", "", "more consoles to compare side by side, NAME=CMD,... (e.g. before=/tmp/old/mqdeck)")
	flag.DurationVar(&o.timeout, "timeout", 90*time.Second, "give up one run after this long")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintf(os.Stderr, "compare: %v\n", err)
		os.Exit(1)
	}
}

func run(o options) error {
	dir, err := os.MkdirTemp("", "mqdeck-compare-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Println("work directory:", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	subjects, err := prepare(o, dir)
	if err != nil {
		return err
	}
	fmt.Printf("machine: %s\n", benchkit.Machine())
	fmt.Printf("flood: %d DRIVR messages (~%d-byte JSON datapoints and events over %d systems) from %d raw MQTT connections; %d rounds\n",
		o.n, o.size, o.topics, o.pubConns, o.rounds)

	msgs, err := benchkit.Generate(sim.FloodConfig{N: o.n, Platform: sim.PlatformDRIVR, Size: o.size, Topics: o.topics})
	if err != nil {
		return err
	}
	streams := benchkit.Encode(msgs, o.pubConns)
	bytes := 0
	for _, s := range streams {
		bytes += len(s)
	}
	fmt.Printf("flood size: %.1f MB of PUBLISH packets\n", float64(bytes)/1e6)

	broker, err := benchkit.StartMosquitto(dir)
	if err != nil {
		return err
	}
	defer broker.Stop()
	env := &runEnv{o: o, dir: dir, broker: broker, streams: streams, filters: benchkit.DRIVRFilterList(),
		tmux: benchkit.Tmux{Socket: fmt.Sprintf("mqdeck-compare-%d", os.Getpid())}}
	defer env.tmux.Kill()

	results := map[string][]time.Duration{}
	pubDone := map[string][]time.Duration{}
	notes := map[string][]string{}
	for r := 0; r < o.rounds; r++ {
		for i := range subjects {
			s := subjects[(i+r)%len(subjects)]
			res, err := env.runOne(s, fmt.Sprintf("bench-%s-%d", s.id, r))
			if err != nil {
				fmt.Printf("round %d %-14s FAILED: %v\n", r+1, s.name, err)
				notes[s.name] = append(notes[s.name], "failed: "+err.Error())
				continue
			}
			results[s.name] = append(results[s.name], res.elapsed)
			pubDone[s.name] = append(pubDone[s.name], res.published)
			if res.note != "" {
				notes[s.name] = append(notes[s.name], res.note)
			}
			fmt.Printf("round %d %-14s %7.3f s  %7.0f msg/s  (flood written in %.3f s)%s\n", r+1, s.name,
				res.elapsed.Seconds(), float64(o.n)/res.elapsed.Seconds(), res.published.Seconds(), suffix(res.note))
			time.Sleep(300 * time.Millisecond) // let the broker settle
		}
	}
	report(o, subjects, results, pubDone, notes)
	return nil
}

func suffix(note string) string {
	if note == "" {
		return ""
	}
	return "  " + note
}

func report(o options, subjects []subject, results, pubDone map[string][]time.Duration, notes map[string][]string) {
	fmt.Printf("\nmedians over %d rounds (load average now %s)\n", o.rounds, benchkit.LoadAvg())
	fmt.Printf("%-14s %5s %9s %10s %9s %s\n", "subscriber", "runs", "median s", "msg/s", "ratio", "notes")
	base := benchkit.Median(results["mosquitto_sub"])
	for _, s := range subjects {
		d := results[s.name]
		med := benchkit.Median(d)
		ratio := "-"
		if base > 0 && med > 0 {
			ratio = fmt.Sprintf("%.2fx", float64(med)/float64(base))
		}
		rate := 0.0
		if med > 0 {
			rate = float64(o.n) / med.Seconds()
		}
		fmt.Printf("%-14s %5d %9.3f %10.0f %9s %s\n", s.name, len(d), med.Seconds(), rate, ratio, summarize(notes[s.name]))
	}
	fmt.Printf("flood written (median of all runs): %.3f s\n", benchkit.Median(flatten(pubDone)).Seconds())
}

func flatten(m map[string][]time.Duration) []time.Duration {
	var out []time.Duration
	for _, v := range m {
		out = append(out, v...)
	}
	return out
}

// summarize folds repeated notes ("dropped=0" five times) into one.
func summarize(notes []string) string {
	seen := map[string]int{}
	var order []string
	for _, n := range notes {
		if seen[n] == 0 {
			order = append(order, n)
		}
		seen[n]++
	}
	parts := make([]string, 0, len(order))
	for _, n := range order {
		parts = append(parts, fmt.Sprintf("%s (x%d)", n, seen[n]))
	}
	return strings.Join(parts, "; ")
}

// buildMqdeck compiles the binary from this tree when none is given.
func buildMqdeck(o options, dir string) (string, error) {
	if o.mqdeck != "" {
		return o.mqdeck, nil
	}
	out := filepath.Join(dir, "mqdeck")
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build mqdeck: %w", err)
	}
	return out, nil
}

// withTimeout is a context for one run.
func (e *runEnv) withTimeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), e.o.timeout)
}
