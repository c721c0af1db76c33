// Command coldstart times `mqdeck demo` from exec to its first frame in a
// 120x40 tmux pane (the status bar is drawn), and to the first frame that
// shows simulated systems. The shell records the start just before it
// execs mqdeck; the end is the first capture that shows the frame (polled
// every few ms, so the figure errs high by up to one capture).
//
//	go run ./bench/coldstart -runs 10
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/bench/benchkit"
)

func main() {
	runs := flag.Int("runs", 10, "cold starts")
	bin := flag.String("mqdeck", "", "mqdeck binary (default: built from this tree)")
	flag.Parse()
	if err := run(*runs, *bin); err != nil {
		fmt.Fprintf(os.Stderr, "coldstart: %v\n", err)
		os.Exit(1)
	}
}

var systemsRE = regexp.MustCompile(`([1-9][0-9]*) systems`)

func run(runs int, bin string) error {
	dir, err := os.MkdirTemp("", "mqdeck-coldstart-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if bin, err = benchkit.BuildMqdeck(bin, dir); err != nil {
		return err
	}
	t := benchkit.Tmux{Socket: fmt.Sprintf("mqdeck-coldstart-%d", os.Getpid())}
	defer t.Kill()
	// A session that stays, so every run's server is already up.
	if err := t.NewSession("keep", 80, 24, "sleep 3600"); err != nil {
		return err
	}
	fmt.Printf("machine: %s\n", benchkit.Machine())
	var first, systems []time.Duration
	for i := 0; i < runs; i++ {
		f, s, err := once(t, dir, bin, i)
		if err != nil {
			return err
		}
		fmt.Printf("run %2d: first frame %6.1f ms, systems shown %6.1f ms\n", i+1, float64(f)/1e6, float64(s)/1e6)
		first, systems = append(first, f), append(systems, s)
		time.Sleep(200 * time.Millisecond)
	}
	fmt.Printf("mqdeck demo cold start, median of %d: first frame %.1f ms, systems shown %.1f ms (load %s)\n",
		runs, float64(benchkit.Median(first))/1e6, float64(benchkit.Median(systems))/1e6, benchkit.LoadAvg())
	return nil
}

func once(t benchkit.Tmux, dir, bin string, i int) (first, systems time.Duration, err error) {
	name := fmt.Sprintf("demo%d", i)
	startFile := filepath.Join(dir, name+".start")
	sh := fmt.Sprintf("date +%%s%%N > %s; exec %s demo 2>%s", startFile, bin, filepath.Join(dir, name+".err"))
	if err := t.NewSession(name, 120, 40, sh); err != nil {
		return 0, 0, err
	}
	defer func() { _, _ = t.Run("kill-session", "-t", name) }()
	deadline := time.Now().Add(10 * time.Second)
	var start time.Time
	for time.Now().Before(deadline) {
		s, err := t.Capture(name)
		now := time.Now()
		if start.IsZero() {
			if b, rerr := os.ReadFile(startFile); rerr == nil && len(b) > 1 && b[len(b)-1] == '\n' {
				ns, _ := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
				start = time.Unix(0, ns)
			}
		}
		if err == nil && !start.IsZero() {
			if first == 0 && strings.Contains(s, "msgs") {
				first = now.Sub(start)
			}
			if first != 0 && systemsRE.MatchString(s) {
				return first, now.Sub(start), nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	s, _ := t.Capture(name)
	return 0, 0, fmt.Errorf("run %d: no frame with systems within 10 s:\n%s", i+1, s)
}
